// One model per outcome that advice speaks about (views, completion rate, first-3-s loss, engagement rate): the
// virality model's design and fitting machinery, with the posterior covariance of the coefficients kept, so that the
// effect of any change of an item comes with an honest interval.
import { inverseMatrix } from '../math/linear-algebra.js';
import { CV_BLOCKS, DEFAULT_LAMBDAS, DEFAULT_SMOOTHINGS, encodeAll, fitHead, penaltyMatrix, sumsOf } from '../virality/virality-fit.js';
import { columnIndex, encodeFeatures, type ColumnIndex, type FeatureLayout } from '../virality/virality-features.js';
import { byPublicationTime, type LinearHead, type ViralityExample } from '../virality/virality-model.js';
import type { ViralityFeatures } from '../virality/virality.js';

/** The outcomes advice speaks about. */
export type OutcomeName = 'views' | 'completion_rate' | 'first_3s_loss' | 'engagement_rate';
export const OUTCOMES: readonly OutcomeName[] = ['views', 'completion_rate', 'first_3s_loss', 'engagement_rate'];

/** Whether more of the outcome is better (first-3-s loss: less is). */
export const higherIsBetter = (outcome: OutcomeName) => outcome !== 'first_3s_loss';

/** A training row of the outcome models: the virality example and the post's completion rate. */
export interface OutcomeExample extends ViralityExample {
  /** Completion rate at the latest observation, 0..1. */
  completionRate?: number;
}

/** The value a model is fitted on: ln(1 + views) for views, the rate itself for the others. */
function targetOf(example: OutcomeExample, outcome: OutcomeName): number | undefined {
  const value =
    outcome === 'views'
      ? example.logViews
      : outcome === 'completion_rate'
        ? example.completionRate
        : outcome === 'first_3s_loss'
          ? example.first3sLoss
          : example.engagementRate;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** A fitted outcome model: a ridge head on the virality design and σ²·A⁻¹, the posterior covariance of its coefficients. */
export interface OutcomeModel {
  outcome: OutcomeName;
  layout: FeatureLayout;
  head: LinearHead;
  /** p × p, row-major. */
  covariance: Float64Array;
  trainedExamples: number;
}

/** The expected change of an outcome between two (sets of) items, on the model's scale, with its standard error. */
export interface Contrast {
  /** Mean prediction at the items changed from (ln(1 + views) for views, the rate for the others). */
  from: number;
  to: number;
  /** to − from. */
  change: number;
  standardError: number;
}

/** Tuning of the outcome models; defaults are what the service uses. */
export interface OutcomeFitOptions {
  /** Fewer rows with the outcome than this: no model. Default 60. */
  minExamples?: number;
}

/**
 * Fits the model of one outcome: the virality model's generalised ridge (same columns, penalty and neighbouring-hour
 * smoothing chosen by time-ordered cross-validation), on the rows that have the outcome. The early-retention column
 * is a feature of views only: for completion and first-3-s loss it is (part of) the outcome itself, and a mediator of
 * engagement. Returns undefined with fewer than `minExamples` rows.
 */
export function fitOutcomeModel(examples: readonly OutcomeExample[], outcome: OutcomeName, options: OutcomeFitOptions = {}): OutcomeModel | undefined {
  const ordered = byPublicationTime(examples.filter((e) => targetOf(e, outcome) !== undefined));
  if (ordered.length < Math.max(options.minExamples ?? 60, 10)) return undefined;
  const earlyLosses = ordered.flatMap((e) => (e.first3sLoss !== undefined && Number.isFinite(e.first3sLoss) ? [e.first3sLoss] : []));
  const layout: FeatureLayout = {
    platforms: [...new Set(ordered.map((e) => e.platform))].sort(),
    useFirst3sLoss: outcome === 'views' && earlyLosses.length * 2 >= ordered.length,
    first3sLossMean: earlyLosses.length ? earlyLosses.reduce((s, v) => s + v, 0) / earlyLosses.length : 0,
    trendFromMs: ordered[0].publishedAt.getTime(),
    trendToMs: ordered[ordered.length - 1].publishedAt.getTime(),
  };
  const encoded = encodeAll(ordered, layout);
  const target = ordered.map((e) => targetOf(e, outcome)!);
  const bounds = Array.from({ length: CV_BLOCKS + 1 }, (_, b) => Math.round((b * ordered.length) / CV_BLOCKS));
  const blocks = Array.from({ length: CV_BLOCKS }, (_, b) => sumsOf(encoded, [target], bounds[b], bounds[b + 1]));
  const total = blocks.reduce((a, b) => a.plus(b));
  const p = encoded.at.size;
  const variances = new Float64Array(p);
  for (let j = 0; j < p; j++) variances[j] = total.gram[j * p + j] / total.rows - (total.sums[j] / total.rows) ** 2;
  const cache = new Map<string, Float64Array>();
  const penalties = (lambda: number, smoothing: number) => {
    const key = `${lambda}/${smoothing}`;
    if (!cache.has(key)) cache.set(key, penaltyMatrix(encoded.at, layout.platforms.length, variances, lambda, smoothing));
    return cache.get(key)!;
  };
  const candidates = DEFAULT_LAMBDAS.flatMap((lambda) => DEFAULT_SMOOTHINGS.map((s) => [lambda, s] as const));
  const { head, system } = fitHead(encoded, blocks, bounds, total, 0, target, penalties, candidates);
  const covariance = inverseMatrix(system, p);
  for (let k = 0; k < covariance.length; k++) covariance[k] *= head.residualVariance;
  return { outcome, layout, head, covariance, trainedExamples: ordered.length };
}

/** Fits every outcome's model (those with too few rows are left out). */
export function fitOutcomeModels(examples: readonly OutcomeExample[], options: OutcomeFitOptions = {}): OutcomeModel[] {
  return OUTCOMES.flatMap((outcome) => {
    const model = fitOutcomeModel(examples, outcome, options);
    return model ? [model] : [];
  });
}

/** The dense mean encoding of items (the average row of the design matrix). */
function meanRow(model: OutcomeModel, at: ColumnIndex, items: readonly ViralityFeatures[]): Float64Array {
  const row = new Float64Array(at.size);
  const indices = new Int32Array(at.maxEntries);
  const values = new Float64Array(at.maxEntries);
  const platformIndex = new Map(model.layout.platforms.map((p, i) => [p, i]));
  for (const item of items) {
    const count = encodeFeatures(item, model.layout, at, platformIndex, indices, values);
    for (let a = 0; a < count; a++) row[indices[a]] += values[a] / items.length;
  }
  return row;
}

/**
 * The model's expected change from the items `from` to the items `to` (each side averaged: a band of hours is the
 * mean of its hours), holding everything the items share fixed, with its posterior standard error √(dᵀ Σ d).
 */
export function contrast(model: OutcomeModel, from: readonly ViralityFeatures[], to: readonly ViralityFeatures[]): Contrast {
  const at = columnIndex(model.layout);
  const a = meanRow(model, at, from);
  const b = meanRow(model, at, to);
  const p = at.size;
  const { intercept, coefficients } = model.head;
  let predictedFrom = intercept;
  let predictedTo = intercept;
  const difference: number[] = [];
  const columns: number[] = [];
  for (let j = 0; j < p; j++) {
    predictedFrom += coefficients[j] * a[j];
    predictedTo += coefficients[j] * b[j];
    const d = b[j] - a[j];
    if (d !== 0) {
      difference.push(d);
      columns.push(j);
    }
  }
  let variance = 0;
  for (let x = 0; x < columns.length; x++) {
    for (let y = 0; y < columns.length; y++) variance += difference[x] * difference[y] * model.covariance[columns[x] * p + columns[y]];
  }
  return { from: predictedFrom, to: predictedTo, change: predictedTo - predictedFrom, standardError: Math.sqrt(Math.max(0, variance)) };
}

/**
 * A change as a relative lift of the outcome: exp(change) − 1 for views (a change of ln(1 + views)), change / level
 * at the items changed from for the rates; `offset` standard errors away from the estimate (0 for the estimate).
 */
export function relativeLift(outcome: OutcomeName, c: Contrast, offset = 0): number {
  const change = c.change + offset * c.standardError;
  if (outcome === 'views') return Math.expm1(change);
  return c.from > 1e-9 ? change / c.from : 0;
}
