// Virality: shared types and the cold-start formula (retention 35 %, engagement 30 %, quality 20 %, timing 15 %).
import type { ContentFeatureValues } from './content-features.js';
import { clamp } from '../math/stats.js';

/** What is known about a piece of content before (or soon after) it is published. */
export interface ViralityFeatures extends ContentFeatureValues {
  /** Platform name as stored ("tiktok", …). */
  platform: string;
  /** Hour of the (planned) publication in the audience's time zone, 0..23. */
  publishHour: number;
  /** Weekday of the (planned) publication in the audience's time zone, Monday = 1 … Sunday = 7. */
  publishWeekday: number;
  /** Early-retention signal, when an early observation exists: share lost in the first 3 s. */
  first3sLoss?: number;
  /** The (planned) publication instant, for the learned trend; unset means the latest level the model knows. */
  publishedAt?: Date;
}

/** The four factors of the score, named as in the proto's ContributingFactor. */
export type FactorName = 'retention' | 'engagement' | 'quality' | 'timing';

/** How much one factor added to a score (mirrors the proto's ContributingFactor). */
export interface ContributingFactor {
  factor: FactorName;
  /** 0..1; the weights of a prediction sum to 1. */
  weight: number;
  /** 0..1 for this content (0.5 is average for the learned model). */
  value: number;
  /** Points of the 0..100 score this factor added. */
  contributionPoints: number;
}

/** A prediction for one item (the model-dependent part of the proto's ViralityPrediction). */
export interface ViralityPrediction {
  /** 0..100. */
  score: number;
  /** Predicted ln(1 + views). */
  predictedLogViews: number;
  /** Median predicted views. */
  predictedViews: number;
  viewsP10: number;
  viewsP90: number;
  predictedEngagementRate: number;
  factors: ContributingFactor[];
  coldStart: boolean;
}

/** Anything that scores content: the cold-start formula or a learned model. */
export interface ViralityPredictor {
  /** `explain`: also the per-feature contributions in words (learned models only). */
  predict(features: ViralityFeatures, options?: { explain?: boolean }): ViralityPrediction;
}

/** Quantiles of a tenant's views per post. */
export interface ViewsDistribution {
  p10: number;
  median: number;
  p90: number;
}

/** The formula's weights; they sum to 1. */
export const FORMULA_WEIGHTS: Readonly<Record<FactorName, number>> = { retention: 0.35, engagement: 0.3, quality: 0.2, timing: 0.15 };

/** Engagement rate that counts as a full engagement value (1.0). */
export const ENGAGEMENT_RATE_CEILING = 0.1;
/** Engagement rate assumed for a platform with no history. */
export const DEFAULT_ENGAGEMENT_RATE = 0.05;
/** Share lost in the first 3 s assumed when no early signal exists. */
export const DEFAULT_FIRST_3S_LOSS = 0.3;
/** Every this many score points above (below) 50 double (halve) the predicted views. */
export const SCORE_POINTS_PER_DOUBLING = 25;

/** What the formula knows about the tenant; every part is optional and has a documented neutral default. */
export interface ColdStartContext {
  /** The tenant's views per post; without it views are predicted as 0. */
  views?: ViewsDistribution;
  /** The tenant's mean engagement rate per platform; default 0.05. */
  engagementRateByPlatform?: Readonly<Record<string, number>>;
  /** Expected completion rate of the content (e.g. the tenant's mean for its duration band); default a duration prior. */
  expectedCompletionRate?: (features: ViralityFeatures) => number;
  /** Timing value 0..1 of the planned slot (e.g. slotTimingValue of the platform's best-time grid); default 0.5. */
  timingValue?: (features: ViralityFeatures) => number;
}

/**
 * Completion prior of a video of this length, 1 / (1 + durationS / 60): 0.8 at 15 s, 0.5 at 60 s, 0.25 at 3 min.
 * Shorter videos are finished more often on every platform we know of.
 */
export function durationCompletionPrior(durationS: number): number {
  return 1 / (1 + Math.max(0, durationS) / 60);
}

/**
 * The cold-start formula: score = 100 × (0.35·retention + 0.30·engagement + 0.20·quality + 0.15·timing), each
 * factor 0..1:
 * - retention = ½·expected completion (context, else the duration prior) + ½·(1 − first-3-s loss (early signal,
 *   else 0.3));
 * - engagement = the platform's engagement rate (context, else 0.05) / 0.10, capped at 1;
 * - quality = mean of the quality and aesthetic scores;
 * - timing = the planned slot's timing value (context, else 0.5).
 * Predicted views = the tenant's median × 2^((score − 50) / 25); the interval scales the tenant's own p10 and p90
 * the same way; predicted engagement = the platform's engagement rate.
 */
export function coldStartPrediction(features: ViralityFeatures, context: ColdStartContext = {}): ViralityPrediction {
  const engagementRate = context.engagementRateByPlatform?.[features.platform] ?? DEFAULT_ENGAGEMENT_RATE;
  const completion = context.expectedCompletionRate?.(features) ?? durationCompletionPrior(features.durationS);
  const values: Record<FactorName, number> = {
    retention: clamp(0.5 * completion + 0.5 * (1 - (features.first3sLoss ?? DEFAULT_FIRST_3S_LOSS)), 0, 1),
    engagement: clamp(engagementRate / ENGAGEMENT_RATE_CEILING, 0, 1),
    quality: clamp((features.qualityScore + features.aestheticScore) / 2, 0, 1),
    timing: clamp(context.timingValue?.(features) ?? 0.5, 0, 1),
  };
  const factors = (Object.keys(FORMULA_WEIGHTS) as FactorName[]).map((factor) => ({
    factor,
    weight: FORMULA_WEIGHTS[factor],
    value: values[factor],
    contributionPoints: 100 * FORMULA_WEIGHTS[factor] * values[factor],
  }));
  const score = factors.reduce((sum, f) => sum + f.contributionPoints, 0);
  const views = context.views ?? { p10: 0, median: 0, p90: 0 };
  const scale = 2 ** ((score - 50) / SCORE_POINTS_PER_DOUBLING);
  const predictedViews = views.median * scale;
  return {
    score,
    predictedLogViews: Math.log1p(predictedViews),
    predictedViews,
    viewsP10: views.p10 * scale,
    viewsP90: views.p90 * scale,
    predictedEngagementRate: engagementRate,
    factors,
    coldStart: true,
  };
}

/** The formula as a {@link ViralityPredictor}, bound to one tenant's context. */
export function coldStartPredictor(context: ColdStartContext = {}): ViralityPredictor {
  return { predict: (features) => coldStartPrediction(features, context) };
}
