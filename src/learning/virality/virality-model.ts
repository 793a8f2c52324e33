// The learned virality model (params as stored, and loaded for fast prediction with exact per-feature explanations).
import { normalCdf } from '../math/stats.js';
import { columnIndex, encodeFeatures, EXPLAINED_FEATURES, explainedFeature, featureGroup, type ColumnIndex, type FeatureLayout } from './virality-features.js';
import { contributionLabel, type FeatureContribution } from './virality-explanation.js';
import type { ContributingFactor, FactorName, ViralityFeatures, ViralityPrediction, ViralityPredictor } from './virality.js';

/** A published item with its outcome: a training (or hold-out) row. */
export interface ViralityExample extends ViralityFeatures {
  publishedAt: Date;
  /** ln(1 + views) at the latest observation. */
  logViews: number;
  /** (likes + comments + shares + saves) / views, when known. */
  engagementRate?: number;
}

/** One fitted linear output on raw columns. */
export interface LinearHead {
  intercept: number;
  coefficients: number[];
  /** The ridge penalty chosen by time-ordered cross-validation. */
  lambda: number;
  /** The neighbouring-hour smoothing chosen with it (a multiple of λ). */
  smoothing: number;
  /** 10th and 90th percentiles of validation residuals (actual − predicted): the 80 % interval's offsets. */
  residualP10: number;
  residualP90: number;
  /** Mean squared validation residual: σ² of the posterior covariance of the coefficients. */
  residualVariance: number;
  validationExamples: number;
}

/** Everything a model needs to predict; plain JSON (the caller assigns the version). */
export interface ViralityModelParams {
  kind: 'ridge';
  formatVersion: 2;
  layout: FeatureLayout;
  columns: string[];
  /** Training mean of each raw column: explanations are coefficient × (value − mean). */
  means: number[];
  logViews: LinearHead;
  /** Fitted when every training row has an engagement rate. */
  engagementRate?: LinearHead;
  /** Quantiles 0 %, 1 %, …, 100 % of the training rows' actual ln(1 + views): the scale of the score. */
  historyLogViewsQuantiles: number[];
  /** Standard deviation over the training rows of each factor's contribution to ln(1 + views). */
  factorSpreads: Record<FactorName, number>;
  /**
   * Per platform: A⁻¹ (A the penalised system) of its 24 hour effects then 7 weekday effects, 31 × 31 row-major;
   * times a head's residual variance it is their posterior covariance (best time's intervals and confidence).
   */
  timingCovariance: Record<string, number[]>;
  trainedExamples: number;
  /** σ² · diag(A⁻¹) of the log-views head: each coefficient's posterior variance (what the shared prior weighs by). */
  coefficientVariances?: number[];
  /** σ²·A⁻¹ of the columns before the hour block (k × k, row-major): the suggestions' intervals for content changes. */
  contentCovariance?: number[];
  /**
   * Set when the model was shrunk toward the prior shared by the sharing tenants: it never contributes to the prior,
   * and its predictions are cold start when it was fitted for too little history of the tenant's own (`coldStart`).
   */
  prior?: { contributors: number; fingerprint: string; coldStart: boolean };
  /** ISO instants of the first and last training publications. */
  trainedFrom: string;
  trainedTo: string;
  /**
   * Set on a model refreshed between daily runs (refresh.service.ts): the daily version it was refitted from, with
   * that version's penalties, on the outcomes observed before `trainedThrough` (ISO).
   */
  refresh?: { baseVersion: string; trainedThrough: string; outcomes: number };
}

/**
 * A prediction with its exact explanation: contributions (all features, largest first; empty unless asked for) sum
 * to logViews − baseline.
 */
export interface ExplainedPrediction extends ViralityPrediction {
  baselineLogViews: number;
  contributions: FeatureContribution[];
}

const FACTORS: readonly FactorName[] = ['retention', 'engagement', 'quality', 'timing'];

/** Examples ordered by publication time (stable), oldest first. */
export function byPublicationTime<T extends { publishedAt: Date }>(examples: readonly T[]): T[] {
  return examples
    .map((example, index) => ({ example, index }))
    .sort((a, b) => a.example.publishedAt.getTime() - b.example.publishedAt.getTime() || a.index - b.index)
    .map(({ example }) => example);
}

/** Percentile (0..100) of a value within 101 sorted quantiles, interpolated. */
export function percentileWithin(quantiles: readonly number[], value: number): number {
  const last = quantiles.length - 1;
  if (!(value > quantiles[0])) return 0;
  if (value >= quantiles[last]) return 100;
  let low = 0;
  let high = last;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (quantiles[middle] <= value) low = middle;
    else high = middle;
  }
  const width = quantiles[high] - quantiles[low];
  return ((low + (width > 0 ? (value - quantiles[low]) / width : 0)) / last) * 100;
}

/**
 * A loaded model: everything derived from the params is computed once here, so a prediction is one sparse encoding
 * and a dot product over its ~17 non-zero columns (microseconds).
 */
export class ViralityModel implements ViralityPredictor {
  private readonly platformIndex: Map<string, number>;
  private readonly at: ColumnIndex;
  /** Explained feature of each column, and its contribution when every column of it sits at its training mean. */
  private readonly featureOf: Int8Array;
  private readonly featureAtMeans: Float64Array;
  private readonly factorOfFeature: Int8Array;
  private readonly weights: Record<FactorName, number>;
  private readonly indices: Int32Array;
  private readonly values: Float64Array;
  /** The prediction at the training means: the baseline contributions are measured from. */
  readonly baselineLogViews: number;

  constructor(readonly params: ViralityModelParams) {
    this.platformIndex = new Map(params.layout.platforms.map((p, i) => [p, i]));
    this.at = columnIndex(params.layout);
    this.indices = new Int32Array(this.at.maxEntries);
    this.values = new Float64Array(this.at.maxEntries);
    this.featureOf = Int8Array.from(params.columns.map((name) => EXPLAINED_FEATURES.indexOf(explainedFeature(name))));
    this.factorOfFeature = Int8Array.from(EXPLAINED_FEATURES.map((feature) => FACTORS.indexOf(featureGroup(feature))));
    this.featureAtMeans = new Float64Array(EXPLAINED_FEATURES.length);
    let baseline = params.logViews.intercept;
    params.logViews.coefficients.forEach((beta, j) => {
      const atMean = beta * params.means[j];
      baseline += atMean;
      this.featureAtMeans[this.featureOf[j]] -= atMean;
    });
    this.baselineLogViews = baseline;
    const spreads = params.factorSpreads;
    const total = FACTORS.reduce((sum, factor) => sum + spreads[factor], 0) || 1;
    this.weights = {
      retention: spreads.retention / total,
      engagement: spreads.engagement / total,
      quality: spreads.quality / total,
      timing: spreads.timing / total,
    };
  }

  /** ln(1 + views), engagement and the per-feature contributions of one item. */
  private evaluate(features: ViralityFeatures) {
    const { params, indices, values } = this;
    const count = encodeFeatures(features, params.layout, this.at, this.platformIndex, indices, values);
    const contributions = Float64Array.from(this.featureAtMeans);
    let logViews = params.logViews.intercept;
    let engagement = params.engagementRate?.intercept ?? 0;
    for (let a = 0; a < count; a++) {
      const j = indices[a];
      const term = params.logViews.coefficients[j] * values[a];
      logViews += term;
      contributions[this.featureOf[j]] += term;
      if (params.engagementRate) engagement += params.engagementRate.coefficients[j] * values[a];
    }
    return { logViews, engagement, contributions };
  }

  /**
   * Predicts one item. Score = percentile of the predicted ln(1 + views) within the training history; the interval
   * adds the validation residual percentiles. Factors: weight = the factor's share of the spread of contributions in training,
   * value = Φ(its contribution / its spread in training) (0.5 = average), points = how many percentile points the
   * score would lose if the factor were average.
   */
  predict(features: ViralityFeatures, options: { explain?: boolean } = {}): ExplainedPrediction {
    const { params } = this;
    const { logViews, engagement, contributions } = this.evaluate(features);
    const byFactor = [0, 0, 0, 0];
    contributions.forEach((c, f) => {
      byFactor[this.factorOfFeature[f]] += c;
    });
    const quantiles = params.historyLogViewsQuantiles;
    const score = percentileWithin(quantiles, logViews);
    const factors: ContributingFactor[] = FACTORS.map((factor, g) => {
      const spread = params.factorSpreads[factor];
      return {
        factor,
        weight: this.weights[factor],
        value: spread > 0 ? normalCdf(byFactor[g] / spread) : 0.5,
        contributionPoints: score - percentileWithin(quantiles, logViews - byFactor[g]),
      };
    });
    // NOTE: the sentences cost more than the prediction itself: only made when asked for (not for comparisons).
    const explained = options.explain
      ? EXPLAINED_FEATURES.map((feature, f) => ({ feature, logViews: contributions[f] }))
          .filter((c) => isUsed(params, c.feature))
          .sort((a, b) => Math.abs(b.logViews) - Math.abs(a.logViews) || a.feature.localeCompare(b.feature))
          .map((c) => ({ ...c, label: contributionLabel(c.feature, c.logViews, features) }))
      : [];
    return {
      score,
      predictedLogViews: logViews,
      predictedViews: Math.max(0, Math.expm1(logViews)),
      viewsP10: Math.max(0, Math.expm1(logViews + params.logViews.residualP10)),
      viewsP90: Math.max(0, Math.expm1(logViews + params.logViews.residualP90)),
      predictedEngagementRate: params.engagementRate ? Math.min(1, Math.max(0, engagement)) : 0,
      factors,
      coldStart: params.prior?.coldStart ?? false,
      baselineLogViews: this.baselineLogViews,
      contributions: explained,
    };
  }
}

/** Whether the model has the feature at all (early retention only when its layout uses it). */
const isUsed = (params: ViralityModelParams, feature: string) => feature !== 'first_3s_loss' || params.layout.useFirst3sLoss;
