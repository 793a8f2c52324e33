// PredictVirality's answers, computed without I/O from what ViralityService read: the prediction of each item on its
// platform and on the others, its explanation and suggestions, and a live post's forecast.
import { localTimesByZone, type LocalTime } from '../../domain/time-zone.js';
import { slotTimingValue, type BestTimeResult } from '../timing/timing-grid.js';
import { forecastViews, type ForecastParams } from './forecast.js';
import { suggestChanges } from './suggestions.js';
import { percentileWithin, type ViralityModel } from './virality-model.js';
import type { ContentFeatureValues } from './content-features.js';
import { platformLabel as label, type FeatureContribution } from './virality-explanation.js';
import { PLATFORMS } from '../../domain/platform.js';
import type { ContentRow, LivePostRow, SuggestedChange, TenantOutcomes, TenantPredictor, ViralityItem } from './virality.types.js';
import { coldStartPredictor, type ViralityFeatures, type ViralityPrediction, type ViralityPredictor } from './virality.js';

/** The same content scored on one platform. */
export interface PlatformRecommendation {
  platform: string;
  predictedViews: number;
  score: number;
  text: string;
}

/** The answer for one item (mirrors the proto's ViralityPrediction). */
export interface ViralityAnswer extends ViralityPrediction {
  /** Learned model only: the prediction at the training means, and what each feature added to it. */
  baselineLogViews?: number;
  contributions?: FeatureContribution[];
  index: number;
  contentId: string;
  platformRecommendations: PlatformRecommendation[];
  boostRecommended: boolean;
  modelVersion: string;
  /** Learned model only: the changes that raise the item's predicted views most (counterfactual predictions). */
  suggestedChanges?: SuggestedChange[];
  /** A model refreshed between daily runs: its watermark (outcomes observed before it were folded in). */
  modelTrainedThrough?: Date;
  /** Set when the views are a live post's forecast from its observations (not the pre-publication prediction). */
  forecast?: { observedAgeHours: number; horizonHours: number };
}

export const HOUR_MS = 3_600_000;

/** Percentile of the views within the tenant's history: the learned model's quantiles, or the formula's p10/median/p90. */
function scoreOfViews(predictor: TenantPredictor, views: number): number {
  const logViews = Math.log1p(views);
  if (predictor.kind === 'learned') return percentileWithin(predictor.model.params.historyLogViewsQuantiles, logViews);
  const { viewsP10, viewsMedian, viewsP90 } = predictor.outcomes;
  const knots: [number, number][] = [
    [Math.log1p(viewsP10) - 1, 0],
    [Math.log1p(viewsP10), 10],
    [Math.log1p(viewsMedian), 50],
    [Math.log1p(viewsP90), 90],
    [Math.log1p(viewsP90) + 1, 100],
  ];
  if (logViews <= knots[0][0]) return 0;
  for (let i = 1; i < knots.length; i++) {
    const [x1, y1] = knots[i];
    const [x0, y0] = knots[i - 1];
    if (logViews <= x1) return x1 > x0 ? y0 + ((y1 - y0) * (logViews - x0)) / (x1 - x0) : y1;
  }
  return 100;
}

/** "1,234,567": what toLocaleString('en-US') prints for a count, without its ICU call (3,000 per 1,000-item batch). */
const roundedViews = (views: number) => String(Math.round(views)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** One sentence per platform, best first. */
export function recommendationTexts(scored: readonly { platform: string; predictedViews: number; score: number }[]): PlatformRecommendation[] {
  const ordered = [...scored].sort((a, b) => b.score - a.score || a.platform.localeCompare(b.platform));
  const best = ordered[0];
  return ordered.map((r) => ({
    ...r,
    text:
      r === best
        ? `${label(r.platform)} is the best platform for this content: about ${roundedViews(r.predictedViews)} views (score ${r.score.toFixed(0)}).`
        : `${label(r.platform)}: about ${roundedViews(r.predictedViews)} views (score ${r.score.toFixed(0)}), ${(best.score - r.score).toFixed(0)} points below ${label(best.platform)}.`,
  }));
}

/** The platforms a content item is compared on: those of the tenant's history, or all when there is none yet. */
export function comparedPlatforms(predictor: TenantPredictor): string[] {
  const known = predictor.kind === 'learned' ? predictor.model.params.layout.platforms : Object.keys(predictor.outcomes.engagementRateByPlatform);
  return known.length ? [...known].sort() : [...PLATFORMS];
}

function featuresOf(item: ViralityItem, content: ContentRow | undefined, platform: string, { hour, weekday }: LocalTime): ViralityFeatures {
  const source: ContentFeatureValues = content ?? item.features!;
  const first3sLoss = content?.first3sLossByPlatform?.[platform];
  return {
    durationS: source.durationS,
    qualityScore: source.qualityScore,
    aestheticScore: source.aestheticScore,
    captionLengthChars: source.captionLengthChars,
    ctaInFirst5s: source.ctaInFirst5s,
    hashtagCount: source.hashtagCount,
    platform,
    publishHour: hour,
    publishWeekday: weekday,
    publishedAt: item.plannedAt,
    ...(typeof first3sLoss === 'number' ? { first3sLoss } : {}),
  };
}

/** A live post's views observations as hours after publication. */
const curveOf = (post: LivePostRow) => post.curveObservedMs.map((ms, i) => ({ ageH: (ms - post.publishedAt.getTime()) / HOUR_MS, views: post.curveViews[i] }));

/**
 * The pre-publication prediction the stacked forecast reads: the model's, with its trend held at the model's last
 * training publication. NOTE: the stack learned from out-of-fold predictions, which never extrapolate the trend; a
 * trend extrapolated past the data shifts every new post's prediction alike (±0.35 ln views on planted worlds) and
 * the interval would no longer cover. The early views carry any real change of level since.
 */
function stackedPrior(model: ViralityModel, features: ViralityFeatures): number {
  const trainedToMs = Date.parse(model.params.trainedTo);
  const publishedAt = features.publishedAt && features.publishedAt.getTime() > trainedToMs ? new Date(trainedToMs) : features.publishedAt;
  return model.predict({ ...features, publishedAt }).predictedLogViews;
}

/** What {@link answerItems} needs, read by ViralityService before any answer is computed. */
export interface PredictionInputs {
  /** The items, live posts resolved to their content, platform and publish time. */
  items: ViralityItem[];
  /** The live post of each item that named one, by item index. */
  posts: ReadonlyMap<number, LivePostRow>;
  contents: ReadonlyMap<string, ContentRow>;
  predictor: TenantPredictor;
  forecaster: { version: string; params: ForecastParams } | undefined;
  /** The platforms every item is also scored on. */
  platforms: string[];
  /** Formula only: the timing grids by {@link gridKey}. */
  grids: ReadonlyMap<string, BestTimeResult> | undefined;
  now: Date;
}

/** The key of an item's timing grid on a platform: the zone and the planned instant (or now, when it is later). */
export const gridKey = (item: ViralityItem, platform: string, now: Date) =>
  `${platform}\u0000${item.timeZone}\u0000${Math.min(item.plannedAt.getTime(), now.getTime())}`;

/** For the formula: a predictor per item whose timing value comes from its platform's grid in its zone. */
function formulaPredictor(outcomes: TenantOutcomes, grids: ReadonlyMap<string, BestTimeResult>, now: Date) {
  const views = { p10: outcomes.viewsP10, median: outcomes.viewsMedian, p90: outcomes.viewsP90 };
  return (item: ViralityItem): ViralityPredictor =>
    coldStartPredictor({
      views,
      engagementRateByPlatform: outcomes.engagementRateByPlatform,
      timingValue: (f) => slotTimingValue(grids.get(gridKey(item, f.platform, now))!, f.publishWeekday, f.publishHour),
    });
}

/**
 * Scores each item on its platform at its planned time, and the same content on every platform of the tenant's
 * history. Score = predicted percentile within the tenant's history (learned) or the formula (cold start);
 * boost_recommended when the score reaches `boostThreshold`. A live post's views are its forecast when the tenant
 * has a forecaster.
 */
export function answerItems(inputs: PredictionInputs, boostThreshold: number): ViralityAnswer[] {
  const { items, posts, contents, predictor, forecaster, platforms } = inputs;
  const predictorOf = predictor.kind === 'learned' ? () => predictor.model : formulaPredictor(predictor.outcomes, inputs.grids!, inputs.now);
  const localTimeOf = localTimesByZone();
  const refreshed = predictor.kind === 'learned' ? predictor.model.params.refresh : undefined;
  const trainedThrough = refreshed ? new Date(refreshed.trainedThrough) : undefined;
  return items.map((item) => {
    const content = item.contentId ? contents.get(item.contentId) : undefined;
    const scorer = predictorOf(item);
    // NOTE: one local time per item for all its platforms, memoised per zone and quarter hour across the batch.
    const local = localTimeOf(item.plannedAt, item.timeZone);
    const features = featuresOf(item, content, item.platform, local);
    const prediction = scorer.predict(features, { explain: true });
    const scored = [...new Set([item.platform, ...platforms])].map((platform) => {
      const p = platform === item.platform ? prediction : scorer.predict(featuresOf(item, content, platform, local));
      return { platform, predictedViews: p.predictedViews, score: p.score };
    });
    const answer: ViralityAnswer = {
      ...prediction,
      index: item.index,
      contentId: item.contentId ?? '',
      platformRecommendations: recommendationTexts(scored),
      boostRecommended: prediction.score >= boostThreshold,
      modelVersion: predictor.version,
      ...(predictor.kind === 'learned' ? { suggestedChanges: suggestChanges(predictor.model, features) } : {}),
      ...(trainedThrough ? { modelTrainedThrough: trainedThrough } : {}),
    };
    const post = posts.get(item.index);
    if (!post?.observedAt || post.views === null || !forecaster) return answer;
    const observedAgeHours = (post.observedAt.getTime() - post.publishedAt.getTime()) / HOUR_MS;
    // NOTE: the stacked cells were learned on a ridge model's out-of-fold predictions: not on the formula's.
    const live =
      predictor.kind === 'learned'
        ? { points: curveOf(post), priorLogViews: stackedPrior(predictor.model, featuresOf(item, content, item.platform, local)) }
        : undefined;
    const forecast = forecastViews(forecaster.params, post.platform, observedAgeHours, post.views, item.horizonHours!, live);
    if (!forecast) return answer;
    const score = scoreOfViews(predictor, forecast.views);
    // NOTE: the contributions explain the pre-publication prediction, not the forecast: left out with it.
    return {
      ...answer,
      predictedViews: forecast.views,
      viewsP10: forecast.viewsP10,
      viewsP90: forecast.viewsP90,
      predictedLogViews: Math.log1p(forecast.views),
      score,
      boostRecommended: score >= boostThreshold,
      modelVersion: forecaster.version,
      modelTrainedThrough: undefined,
      baselineLogViews: undefined,
      contributions: [],
      suggestedChanges: [],
      forecast: { observedAgeHours, horizonHours: Math.max(forecast.horizonH, observedAgeHours) },
    };
  });
}
