// The learned virality model: ridge regression on ln(1 + views), λ and interval from a time-ordered validation split.
import { choleskySolve } from '../math/linear-algebra.js';
import { normalCdf, quantileSorted, standardDeviation } from '../math/stats.js';
import { columnGroup, columnNames, encodeFeatures, standardisation, standardise, type FeatureLayout } from './virality-features.js';
import type { ContributingFactor, FactorName, ViralityFeatures, ViralityPrediction, ViralityPredictor } from './virality.js';

/** A published item with its outcome: a training (or hold-out) row. */
export interface ViralityExample extends ViralityFeatures {
  publishedAt: Date;
  /** ln(1 + views) at the latest observation. */
  logViews: number;
  /** (likes + comments + shares + saves) / views, when known. */
  engagementRate?: number;
}

/** One fitted linear output on standardised columns. */
export interface LinearHead {
  intercept: number;
  coefficients: number[];
  /** The ridge penalty chosen on the validation split. */
  lambda: number;
  /** 10th and 90th percentiles of validation residuals (actual − predicted): the 80 % interval's offsets. */
  residualP10: number;
  residualP90: number;
  validationExamples: number;
}

/** Everything a model needs to predict; plain JSON (the caller assigns the version). */
export interface ViralityModelParams {
  kind: 'ridge';
  formatVersion: 1;
  layout: FeatureLayout;
  columns: string[];
  means: number[];
  scales: number[];
  logViews: LinearHead;
  /** Fitted when every training row has an engagement rate. */
  engagementRate?: LinearHead;
  /** Quantiles 0 %, 1 %, …, 100 % of the training rows' actual ln(1 + views): the scale of the score. */
  historyLogViewsQuantiles: number[];
  /** Standard deviation over the training rows of each factor's contribution to ln(1 + views). */
  factorSpreads: Record<FactorName, number>;
  trainedExamples: number;
  /** ISO instants of the first and last training publications. */
  trainedFrom: string;
  trainedTo: string;
}

/** Tuning of the fit; defaults are what the service uses. */
export interface FitOptions {
  /** Fewer examples than this: no model (undefined). Default 60. */
  minExamples?: number;
  /** Newest share of the examples used to choose λ and measure residuals. Default 0.2. */
  validationFraction?: number;
  /** Candidate penalties relative to the number of rows (λ = α · n). */
  relativeLambdas?: readonly number[];
}

const DEFAULT_RELATIVE_LAMBDAS = [1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.3, 1, 3, 10];
const FACTORS: readonly FactorName[] = ['retention', 'engagement', 'quality', 'timing'];

/** Examples ordered by publication time (stable), oldest first. */
export function byPublicationTime<T extends { publishedAt: Date }>(examples: readonly T[]): T[] {
  return examples
    .map((example, index) => ({ example, index }))
    .sort((a, b) => a.example.publishedAt.getTime() - b.example.publishedAt.getTime() || a.index - b.index)
    .map(({ example }) => example);
}

/** Gram matrix ZᵀZ and Zᵀ(y − ȳ) of standardised rows. */
function normalEquations(rows: readonly Float64Array[], targets: readonly number[], p: number) {
  const targetMean = targets.reduce((s, y) => s + y, 0) / targets.length;
  const gram = new Float64Array(p * p);
  const moment = new Float64Array(p);
  rows.forEach((row, r) => {
    const y = targets[r] - targetMean;
    for (let i = 0; i < p; i++) {
      const zi = row[i];
      if (zi === 0) continue;
      moment[i] += zi * y;
      for (let j = 0; j <= i; j++) gram[i * p + j] += zi * row[j];
    }
  });
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) gram[j * p + i] = gram[i * p + j];
  return { gram, moment, targetMean };
}

function ridge(equations: ReturnType<typeof normalEquations>, lambda: number, p: number): Float64Array {
  const system = Float64Array.from(equations.gram);
  for (let i = 0; i < p; i++) system[i * p + i] += lambda;
  return choleskySolve(system, equations.moment, p);
}

const dot = (row: Float64Array, coefficients: ArrayLike<number>) => {
  let sum = 0;
  for (let j = 0; j < row.length; j++) sum += row[j] * coefficients[j];
  return sum;
};

/** Chooses λ on the newest rows and fits the head on all rows with it. */
function fitHead(
  raw: readonly Float64Array[],
  targets: readonly number[],
  validationStart: number,
  all: { means: number[]; scales: number[] },
  relativeLambdas: readonly number[],
): LinearHead {
  const p = raw[0].length;
  const training = raw.slice(0, validationStart);
  const trainingScaling = standardisation(training, p);
  const z = training.map((row) => standardise(Float64Array.from(row), trainingScaling.means, trainingScaling.scales));
  const zValidation = raw.slice(validationStart).map((row) => standardise(Float64Array.from(row), trainingScaling.means, trainingScaling.scales));
  const equations = normalEquations(z, targets.slice(0, validationStart), p);
  let best: { alpha: number; error: number; residuals: number[] } | undefined;
  for (const alpha of relativeLambdas) {
    const lambda = alpha * training.length;
    const beta = ridge(equations, lambda, p);
    const residuals = zValidation.map((row, i) => targets[validationStart + i] - (equations.targetMean + dot(row, beta)));
    const error = residuals.reduce((s, r) => s + r * r, 0);
    if (!best || error < best.error) best = { alpha, error, residuals };
  }
  const sortedResiduals = best!.residuals.sort((a, b) => a - b);
  const zAll = raw.map((row) => standardise(Float64Array.from(row), all.means, all.scales));
  const allEquations = normalEquations(zAll, targets, p);
  const lambda = best!.alpha * raw.length;
  return {
    intercept: allEquations.targetMean,
    coefficients: Array.from(ridge(allEquations, lambda, p)),
    lambda,
    residualP10: quantileSorted(sortedResiduals, 0.1),
    residualP90: quantileSorted(sortedResiduals, 0.9),
    validationExamples: sortedResiduals.length,
  };
}

/**
 * Fits the model on past examples: ridge regression of ln(1 + views) on standardised features (duration bands and
 * log duration, call to action, caption length, hashtags, quality, aesthetic, platform one-hot, hour of day as two
 * sine/cosine harmonics, weekday one-hot, and the first-3-s loss when at least half the rows have it), solved in
 * closed form. The examples are ordered by publication time; λ is chosen on the newest `validationFraction` after
 * fitting on the older rows, whose residuals there give the 80 % interval; the final model is refitted on all rows.
 * Returns undefined with fewer than `minExamples` examples.
 */
export function fitViralityModel(examples: readonly ViralityExample[], options: FitOptions = {}): ViralityModelParams | undefined {
  const minExamples = Math.max(options.minExamples ?? 60, 10);
  if (examples.length < minExamples) return undefined;
  const ordered = byPublicationTime(examples);
  const layout: FeatureLayout = {
    platforms: [...new Set(ordered.map((e) => e.platform))].sort(),
    useFirst3sLoss: ordered.filter((e) => e.first3sLoss !== undefined).length * 2 >= ordered.length,
  };
  const columns = columnNames(layout);
  const platformIndex = new Map(layout.platforms.map((p, i) => [p, i]));
  const raw = ordered.map((e) => {
    const row = new Float64Array(columns.length);
    encodeFeatures(e, layout, platformIndex, row);
    return row;
  });
  const scaling = standardisation(raw, columns.length);
  const validationStart = ordered.length - Math.max(5, Math.round(ordered.length * (options.validationFraction ?? 0.2)));
  const lambdas = options.relativeLambdas ?? DEFAULT_RELATIVE_LAMBDAS;
  const logViews = fitHead(
    raw,
    ordered.map((e) => e.logViews),
    validationStart,
    scaling,
    lambdas,
  );
  const engagementKnown = ordered.every((e) => e.engagementRate !== undefined && Number.isFinite(e.engagementRate));
  const engagementRate = engagementKnown
    ? fitHead(
        raw,
        ordered.map((e) => e.engagementRate!),
        validationStart,
        scaling,
        lambdas,
      )
    : undefined;

  const contributions: Record<FactorName, number[]> = { retention: [], engagement: [], quality: [], timing: [] };
  for (const row of raw) {
    const z = standardise(Float64Array.from(row), scaling.means, scaling.scales);
    const sums: Record<FactorName, number> = { retention: 0, engagement: 0, quality: 0, timing: 0 };
    columns.forEach((name, j) => {
      sums[columnGroup(name)] += logViews.coefficients[j] * z[j];
    });
    for (const factor of FACTORS) contributions[factor].push(sums[factor]);
  }
  const sortedLogViews = ordered.map((e) => e.logViews).sort((a, b) => a - b);
  return {
    kind: 'ridge',
    formatVersion: 1,
    layout,
    columns,
    means: scaling.means,
    scales: scaling.scales,
    logViews,
    ...(engagementRate ? { engagementRate } : {}),
    historyLogViewsQuantiles: Array.from({ length: 101 }, (_, q) => quantileSorted(sortedLogViews, q / 100)),
    factorSpreads: {
      retention: standardDeviation(contributions.retention),
      engagement: standardDeviation(contributions.engagement),
      quality: standardDeviation(contributions.quality),
      timing: standardDeviation(contributions.timing),
    },
    trainedExamples: ordered.length,
    trainedFrom: ordered[0].publishedAt.toISOString(),
    trainedTo: ordered[ordered.length - 1].publishedAt.toISOString(),
  };
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
 * A loaded model: everything derived from the params is computed once here, so a prediction is one encoding and
 * one dot product (microseconds).
 */
export class ViralityModel implements ViralityPredictor {
  private readonly platformIndex: Map<string, number>;
  private readonly groups: Int8Array;
  private readonly weights: Record<FactorName, number>;
  private readonly raw: Float64Array;

  constructor(readonly params: ViralityModelParams) {
    this.platformIndex = new Map(params.layout.platforms.map((p, i) => [p, i]));
    this.groups = Int8Array.from(params.columns.map((name) => FACTORS.indexOf(columnGroup(name))));
    this.raw = new Float64Array(params.columns.length);
    const importance = [0, 0, 0, 0];
    params.logViews.coefficients.forEach((beta, j) => {
      importance[this.groups[j]] += Math.abs(beta);
    });
    const total = importance.reduce((a, b) => a + b, 0) || 1;
    this.weights = { retention: importance[0] / total, engagement: importance[1] / total, quality: importance[2] / total, timing: importance[3] / total };
  }

  /**
   * Predicts one item. Score = percentile of the predicted ln(1 + views) within the training history; the interval
   * adds the validation residual percentiles. Factors: weight = the factor's share of |standardised coefficients|,
   * value = Φ(its contribution / its spread in training) (0.5 = average), points = how many percentile points the
   * score would lose if the factor were average.
   */
  predict(features: ViralityFeatures): ViralityPrediction {
    const { params, raw, groups } = this;
    encodeFeatures(features, params.layout, this.platformIndex, raw);
    const contributions = [0, 0, 0, 0];
    let logViews = params.logViews.intercept;
    let engagement = params.engagementRate?.intercept ?? 0;
    for (let j = 0; j < raw.length; j++) {
      const z = Number.isNaN(raw[j]) ? 0 : (raw[j] - params.means[j]) / params.scales[j];
      const term = params.logViews.coefficients[j] * z;
      logViews += term;
      contributions[groups[j]] += term;
      if (params.engagementRate) engagement += params.engagementRate.coefficients[j] * z;
    }
    const quantiles = params.historyLogViewsQuantiles;
    const score = percentileWithin(quantiles, logViews);
    const factors: ContributingFactor[] = FACTORS.map((factor, g) => {
      const spread = params.factorSpreads[factor];
      return {
        factor,
        weight: this.weights[factor],
        value: spread > 0 ? normalCdf(contributions[g] / spread) : 0.5,
        contributionPoints: score - percentileWithin(quantiles, logViews - contributions[g]),
      };
    });
    return {
      score,
      predictedLogViews: logViews,
      predictedViews: Math.max(0, Math.expm1(logViews)),
      viewsP10: Math.max(0, Math.expm1(logViews + params.logViews.residualP10)),
      viewsP90: Math.max(0, Math.expm1(logViews + params.logViews.residualP90)),
      predictedEngagementRate: params.engagementRate ? Math.min(1, Math.max(0, engagement)) : 0,
      factors,
      coldStart: false,
    };
  }
}
