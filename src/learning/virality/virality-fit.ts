// Fitting the virality model: generalised ridge on ln(1 + views) with penalty and hour smoothing chosen by
// time-ordered cross-validation, from sufficient statistics (one pass over the rows).
import { inverseMatrix } from '../math/linear-algebra.js';
import { addDifferencePenalty, type FactorCache, RidgeSums, solveRidge } from '../math/ridge.js';
import { quantileSorted, standardDeviation } from '../math/stats.js';
import { columnGroup, columnIndex, columnNames, encodeFeatures, type ColumnIndex, type FeatureLayout } from './virality-features.js';
import { byPublicationTime, type LinearHead, type ViralityExample, type ViralityModelParams } from './virality-model.js';
import type { SharedPrior } from './shared-prior.js';
import type { FactorName } from './virality.js';

/** Tuning of the fit; defaults are what the service uses. */
export interface FitOptions {
  /** Fewer examples than this: no model (undefined). Default 60. */
  minExamples?: number;
  /** Candidate ridge penalties (in posts for indicator columns, on the standardised scale for dense ones). */
  lambdas?: readonly number[];
  /** Candidate strengths of the neighbouring-hour smoothing, as multiples of λ. */
  smoothings?: readonly number[];
  /** With a prior: whether the tenant has too few outcomes for a model of its own (its predictions are cold start). Default true. */
  coldStart?: boolean;
}

export const DEFAULT_LAMBDAS = [1, 3, 10, 30, 100, 300, 1000, 3000];
/** The penalty of the columns outside the hour and weekday blocks never exceeds this (posts / standardised units). */
const MAX_OTHER_LAMBDA = 10;
export const DEFAULT_SMOOTHINGS = [0, 1, 4];
/** The rows are cut into this many blocks by time; each of the last three is predicted from all older blocks. */
export const CV_BLOCKS = 5;
const FIRST_VALIDATED_BLOCK = 2;
const FACTORS: readonly FactorName[] = ['retention', 'engagement', 'quality', 'timing'];
/** Prior fit: the penalty (posts, or standardised units for dense columns) of the columns the prior has not. */
const OWN_COLUMN_PENALTY = 3;

/** The examples encoded once: sparse rows of fixed width. */
export interface Encoded {
  at: ColumnIndex;
  width: number;
  indices: Int32Array;
  values: Float64Array;
  counts: Int32Array;
}

export function encodeAll(examples: readonly ViralityExample[], layout: FeatureLayout): Encoded {
  const at = columnIndex(layout);
  const width = at.maxEntries;
  const indices = new Int32Array(examples.length * width);
  const values = new Float64Array(examples.length * width);
  const counts = new Int32Array(examples.length);
  const platformIndex = new Map(layout.platforms.map((p, i) => [p, i]));
  const rowIndices = new Int32Array(width);
  const rowValues = new Float64Array(width);
  examples.forEach((example, r) => {
    const count = encodeFeatures(example, layout, at, platformIndex, rowIndices, rowValues);
    indices.set(rowIndices.subarray(0, count), r * width);
    values.set(rowValues.subarray(0, count), r * width);
    counts[r] = count;
  });
  return { at, width, indices, values, counts };
}

export function sumsOf(encoded: Encoded, targets: readonly number[][], from: number, to: number): RidgeSums {
  const sums = new RidgeSums(encoded.at.size, targets.length);
  const targetValues = new Float64Array(targets.length);
  for (let r = from; r < to; r++) {
    for (let t = 0; t < targets.length; t++) targetValues[t] = targets[t][r];
    sums.add(encoded.indices.subarray(r * encoded.width), encoded.values.subarray(r * encoded.width), encoded.counts[r], targetValues);
  }
  return sums;
}

export function predictRow(encoded: Encoded, r: number, solution: { intercept: number; coefficients: ArrayLike<number> }): number {
  let y = solution.intercept;
  const base = r * encoded.width;
  for (let a = 0; a < encoded.counts[r]; a++) y += solution.coefficients[encoded.indices[base + a]] * encoded.values[base + a];
  return y;
}

/**
 * The penalty matrix: λ on each hour and weekday coefficient (a cell with n posts keeps about n / (n + λ) of its own
 * mean), min(λ, 10) on the other indicators and, times sd², on each dense column (ridge on the standardised
 * column), and λ·smoothing on the squared differences of neighbouring hours (circular) in the shared and each
 * platform's hour block.
 */
export function penaltyMatrix(at: ColumnIndex, platforms: number, variances: Float64Array, lambda: number, smoothing: number): Float64Array {
  const p = at.size;
  const penalty = new Float64Array(p * p);
  const dense = (j: number) => j < at.dense || (j >= at.platformLogDuration && j < at.hour);
  // NOTE: no timing effect at all wants a huge λ on the hour and weekday blocks; content and duration keep a mild one.
  const other = Math.min(lambda, MAX_OTHER_LAMBDA);
  for (let j = 0; j < p; j++) {
    const scale = dense(j) ? (variances[j] > 1e-12 ? variances[j] : 1) : 1;
    penalty[j * p + j] = (j >= at.hour ? lambda : other) * scale;
  }
  if (smoothing > 0) {
    const hours = (start: number) => Array.from({ length: 24 }, (_, h) => start + h);
    addDifferencePenalty(penalty, p, hours(at.hour), lambda * smoothing, true);
    for (let k = 0; k < platforms; k++) addDifferencePenalty(penalty, p, hours(at.platformHour + 24 * k), lambda * smoothing, true);
  }
  return penalty;
}

/**
 * What the heads fitted on the same blocks share: for each validated block b, the sums of all older blocks (the
 * fold's training rows), and the factors of the systems solved on them (a second head with the same penalty needs no
 * new factorisation).
 */
export interface SharedFits {
  trainingSums: RidgeSums[];
  factors: FactorCache;
}

/** The shared state of heads fitted on `blocks`. */
export function sharedFits(blocks: readonly RidgeSums[]): SharedFits {
  const trainingSums: RidgeSums[] = [];
  let running = blocks[0];
  for (let b = 1; b < blocks.length; b++) {
    if (b >= FIRST_VALIDATED_BLOCK) trainingSums[b] = running;
    running = running.plus(blocks[b]);
  }
  return { trainingSums, factors: new WeakMap() };
}

/** Chooses (λ, smoothing) by time-ordered cross-validation for one target and fits it on all rows. */
export function fitHead(
  encoded: Encoded,
  blocks: readonly RidgeSums[],
  bounds: readonly number[],
  total: RidgeSums,
  target: number,
  targetValues: readonly number[],
  penalties: (lambda: number, smoothing: number) => Float64Array,
  candidates: readonly (readonly [lambda: number, smoothing: number])[],
  shared: SharedFits = sharedFits(blocks),
): { head: LinearHead; system: Float64Array } {
  const { trainingSums, factors } = shared;
  let best: { lambda: number; smoothing: number; error: number; lastResiduals: number[] } | undefined;
  for (const [lambda, smoothing] of candidates) {
    const penalty = penalties(lambda, smoothing);
    let error = 0;
    let lastResiduals: number[] = [];
    // A single candidate needs only the last fold (its interval); several are compared on all folds.
    for (let b = candidates.length > 1 ? FIRST_VALIDATED_BLOCK : blocks.length - 1; b < blocks.length; b++) {
      const solution = solveRidge(trainingSums[b], target, penalty, factors);
      const residuals: number[] = [];
      for (let r = bounds[b]; r < bounds[b + 1]; r++) residuals.push(targetValues[r] - predictRow(encoded, r, solution));
      error += residuals.reduce((s, e) => s + e * e, 0);
      lastResiduals = residuals;
    }
    if (!best || error < best.error) best = { lambda, smoothing, error, lastResiduals };
  }
  const chosen = best!;
  const solution = solveRidge(total, target, penalties(chosen.lambda, chosen.smoothing), factors);
  const sorted = chosen.lastResiduals.sort((a, b) => a - b);
  const head: LinearHead = {
    intercept: solution.intercept,
    coefficients: Array.from(solution.coefficients),
    lambda: chosen.lambda,
    smoothing: chosen.smoothing,
    residualP10: quantileSorted(sorted, 0.1),
    residualP90: quantileSorted(sorted, 0.9),
    residualVariance: sorted.reduce((s, e) => s + e * e, 0) / Math.max(1, sorted.length),
    validationExamples: sorted.length,
  };
  return { head, system: solution.system };
}

/**
 * Per platform, A⁻¹ of its 24 hour effects and 7 weekday effects (each the shared column plus the platform's own),
 * A being the penalised system: times a head's residual variance, their posterior covariance (31 × 31, row-major).
 */
function timingCovariances(inverseSystem: Float64Array, at: ColumnIndex, platforms: readonly string[]): Record<string, number[]> {
  const p = at.size;
  const inverse = (i: number, j: number) => inverseSystem[i * p + j];
  const result: Record<string, number[]> = {};
  platforms.forEach((platform, k) => {
    const shared = [...Array.from({ length: 24 }, (_, h) => at.hour + h), ...Array.from({ length: 7 }, (_, w) => at.weekday + w)];
    const own = [...Array.from({ length: 24 }, (_, h) => at.platformHour + 24 * k + h), ...Array.from({ length: 7 }, (_, w) => at.platformWeekday + 7 * k + w)];
    const covariance: number[] = [];
    for (let a = 0; a < 31; a++) {
      for (let b = 0; b < 31; b++) {
        covariance.push(inverse(shared[a], shared[b]) + inverse(shared[a], own[b]) + inverse(own[a], shared[b]) + inverse(own[a], own[b]));
      }
    }
    result[platform] = covariance;
  });
  return result;
}

/**
 * σ²·A⁻¹ of the columns before the hour block (content, duration shape and bands, platform levels, slopes and
 * trends), k × k row-major: the posterior covariance a change of one content lever of an item needs (its duration
 * moves several columns at once). Timing has its own ({@link timingCovariances}).
 */
function contentCovariance(inverseSystem: Float64Array, at: ColumnIndex, residualVariance: number): number[] {
  const p = at.size;
  const k = at.hour;
  const covariance = new Array<number>(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) covariance[i * k + j] = inverseSystem[i * p + j] * residualVariance;
  return covariance;
}

/**
 * Fits the model on past examples: a generalised ridge regression of ln(1 + views) on raw features — duration shape
 * (log duration, its square, bands, per-platform slope), call to action, caption length, hashtags, quality,
 * aesthetic, early retention (when at least half the rows have it), a trend in months overall and per platform,
 * platform, local hour and weekday both shared and per platform — with neighbouring hours smoothed. The examples are
 * ordered by publication time and cut into 5 blocks; λ and the smoothing are those whose predictions of blocks 3–5
 * from all older blocks err least; the last block's residuals give the 80 % interval; the model is then fitted on all
 * rows. Returns undefined with fewer than `minExamples` examples.
 */
export function fitViralityModel(examples: readonly ViralityExample[], options: FitOptions = {}): ViralityModelParams | undefined {
  return fitModel(examples, options);
}

/**
 * The prior's penalty: (β − β0)ᵀ P (β − β0) with P diagonal, σ² / prior variance on each column the prior has (a
 * Gaussian prior on it, σ² the contributors' residual variance), and a mild own penalty on the others (levels,
 * trends, columns no contributor has), times the column's variance for dense ones.
 */
function priorPenalty(at: ColumnIndex, columns: readonly string[], variances: Float64Array, prior: SharedPrior): Float64Array {
  const p = at.size;
  const dense = (j: number) => j < at.dense || (j >= at.platformLogDuration && j < at.hour);
  const penalty = new Float64Array(p * p);
  columns.forEach((name, j) => {
    const shared = prior.columns[name];
    penalty[j * p + j] = shared ? prior.residualVariance / shared.variance : OWN_COLUMN_PENALTY * (dense(j) && variances[j] > 1e-12 ? variances[j] : 1);
  });
  return penalty;
}

/**
 * Fits the model of a tenant with little history toward the shared prior: the same design as
 * {@link fitViralityModel} (plus the columns of the prior's platforms), with ridge toward the prior's means,
 * min ‖y − b − Xβ‖² + (β − β0)ᵀ P (β − β0) (the intercept b free): the residual y − Xβ0 is fitted with P and β0
 * is added back. With few posts the coefficients are the prior's; as posts accumulate the data wins. Levels and
 * trends are the tenant's own. Needs at least `minExamples` (default 10) examples.
 */
export function fitViralityModelWithPrior(examples: readonly ViralityExample[], prior: SharedPrior, options: FitOptions = {}): ViralityModelParams | undefined {
  return fitModel(examples, { minExamples: 10, ...options }, prior);
}

function fitModel(examples: readonly ViralityExample[], options: FitOptions, prior?: SharedPrior): ViralityModelParams | undefined {
  const minExamples = Math.max(options.minExamples ?? 60, 10);
  if (examples.length < minExamples) return undefined;
  const ordered = byPublicationTime(examples);
  const earlyLosses = ordered.flatMap((e) => (e.first3sLoss !== undefined && Number.isFinite(e.first3sLoss) ? [e.first3sLoss] : []));
  const layout: FeatureLayout = {
    platforms: [...new Set([...ordered.map((e) => e.platform), ...(prior?.platforms ?? [])])].sort(),
    useFirst3sLoss: earlyLosses.length * 2 >= ordered.length,
    first3sLossMean: earlyLosses.length ? earlyLosses.reduce((s, v) => s + v, 0) / earlyLosses.length : 0,
    trendFromMs: ordered[0].publishedAt.getTime(),
    trendToMs: ordered[ordered.length - 1].publishedAt.getTime(),
  };
  const columns = columnNames(layout);
  const encoded = encodeAll(ordered, layout);
  const priorMeans = Float64Array.from(columns, (name) => prior?.columns[name]?.mean ?? 0);
  const engagementKnown = ordered.every((e) => e.engagementRate !== undefined && Number.isFinite(e.engagementRate));
  // NOTE: with a prior the log-views head is fitted on the residual y − Xβ0 (β0 added back below).
  const atPrior = { intercept: 0, coefficients: priorMeans };
  const logViewsTarget = ordered.map((e, r) => e.logViews - (prior ? predictRow(encoded, r, atPrior) : 0));
  const targets = [logViewsTarget, ...(engagementKnown ? [ordered.map((e) => e.engagementRate!)] : [])];
  const bounds = Array.from({ length: CV_BLOCKS + 1 }, (_, b) => Math.round((b * ordered.length) / CV_BLOCKS));
  const blocks = Array.from({ length: CV_BLOCKS }, (_, b) => sumsOf(encoded, targets, bounds[b], bounds[b + 1]));
  const total = blocks.reduce((a, b) => a.plus(b));
  const n = total.rows;
  const variances = new Float64Array(encoded.at.size);
  for (let j = 0; j < variances.length; j++) variances[j] = total.gram[j * encoded.at.size + j] / n - (total.sums[j] / n) ** 2;
  const penaltyCache = new Map<string, Float64Array>();
  const penalties = (lambda: number, smoothing: number) => {
    const key = `${lambda}/${smoothing}`;
    let penalty = penaltyCache.get(key);
    if (!penalty) {
      penalty = prior ? priorPenalty(encoded.at, columns, variances, prior) : penaltyMatrix(encoded.at, layout.platforms.length, variances, lambda, smoothing);
      penaltyCache.set(key, penalty);
    }
    return penalty;
  };
  // NOTE: the prior's penalty is fixed (no candidates to compare): the last fold only gives the interval.
  const candidates = prior
    ? [[1, 0] as const]
    : (options.lambdas ?? DEFAULT_LAMBDAS).flatMap((lambda) => (options.smoothings ?? DEFAULT_SMOOTHINGS).map((s) => [lambda, s] as const));
  const shared = sharedFits(blocks);
  const fitted = fitHead(encoded, blocks, bounds, total, 0, targets[0], penalties, candidates, shared);
  const logViews = fitted.head;
  if (prior) logViews.coefficients = logViews.coefficients.map((delta, j) => delta + priorMeans[j]);
  // NOTE: the engagement head reuses the penalties chosen for views (the same design and system: the timing
  // covariance serves both; halves the fitting time), and the factors of those systems.
  const engagementRate = engagementKnown
    ? fitHead(encoded, blocks, bounds, total, 1, targets[1], penalties, [[logViews.lambda, logViews.smoothing]], shared).head
    : undefined;

  const means = Array.from(total.sums, (s) => s / n);
  const groupOf = columns.map((name) => FACTORS.indexOf(columnGroup(name)));
  const contributions: number[][] = FACTORS.map(() => []);
  const atMeans = [0, 0, 0, 0];
  logViews.coefficients.forEach((beta, j) => {
    atMeans[groupOf[j]] -= beta * means[j];
  });
  for (let r = 0; r < ordered.length; r++) {
    const sums = [...atMeans];
    const base = r * encoded.width;
    for (let a = 0; a < encoded.counts[r]; a++) {
      const j = encoded.indices[base + a];
      sums[groupOf[j]] += logViews.coefficients[j] * encoded.values[base + a];
    }
    sums.forEach((sum, g) => {
      contributions[g].push(sum);
    });
  }
  const sortedLogViews = ordered.map((e) => e.logViews).sort((a, b) => a - b);
  // NOTE: one inverse of the penalised system serves the coefficient variances and both covariances.
  const inverseSystem = inverseMatrix(fitted.system, encoded.at.size);
  return {
    kind: 'ridge',
    formatVersion: 2,
    layout,
    columns,
    means,
    logViews,
    ...(engagementRate ? { engagementRate } : {}),
    historyLogViewsQuantiles: Array.from({ length: 101 }, (_, q) => quantileSorted(sortedLogViews, q / 100)),
    factorSpreads: {
      retention: standardDeviation(contributions[0]),
      engagement: standardDeviation(contributions[1]),
      quality: standardDeviation(contributions[2]),
      timing: standardDeviation(contributions[3]),
    },
    timingCovariance: timingCovariances(inverseSystem, encoded.at, layout.platforms),
    trainedExamples: ordered.length,
    coefficientVariances: Array.from({ length: encoded.at.size }, (_, j) => inverseSystem[j * encoded.at.size + j] * logViews.residualVariance),
    contentCovariance: contentCovariance(inverseSystem, encoded.at, logViews.residualVariance),
    ...(prior ? { prior: { contributors: prior.contributors, fingerprint: prior.fingerprint, coldStart: options.coldStart ?? true } } : {}),
    trainedFrom: ordered[0].publishedAt.toISOString(),
    trainedTo: ordered[ordered.length - 1].publishedAt.toISOString(),
  };
}
