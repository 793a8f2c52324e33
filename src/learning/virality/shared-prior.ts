// Learning across artists: the prior shared by the tenants that opted in, from the coefficients of their own models
// and their uncertainty (never their records), as a random-effects meta-analysis per column.
import { createHash } from 'node:crypto';

/** What a sharing tenant's own model contributes: its coefficients by column name and their posterior variances. */
export interface ContributedModel {
  columns: readonly string[];
  coefficients: readonly number[];
  /** σ² · diag(A⁻¹) of the fit, in the order of `columns`. */
  coefficientVariances: readonly number[];
  /** Mean squared validation residual of the model (σ²). */
  residualVariance: number;
}

/** The prior of one column. */
export interface ColumnPrior {
  /** Precision-weighted mean of the contributors' coefficients (random-effects weights). */
  mean: number;
  /** How far a new tenant's coefficient may be from the mean: between-tenant variance + the mean's own variance. */
  variance: number;
  /** Contributors that have the column. */
  tenants: number;
}

/** The shared prior: per column (by name), and what it was computed from. */
export interface SharedPrior {
  columns: Record<string, ColumnPrior>;
  /** Mean residual variance of the contributors: σ² of the penalty that shrinks a small tenant toward the prior. */
  residualVariance: number;
  /** Platforms of the contributors' models (a small tenant gets their columns even before posting there). */
  platforms: string[];
  contributors: number;
  /** A hash of the prior: the same contributions give the same fingerprint. */
  fingerprint: string;
}

/** Fewer sharing tenants with a model of their own than this: no prior. */
export const MIN_CONTRIBUTORS = 2;
/** Floor of a column's prior variance (keeps the penalty finite). */
const MIN_PRIOR_VARIANCE = 1e-6;

/**
 * Whether a column is shared: every column but the levels (the per-platform level columns `platform_<p>`) and the
 * trends (`trend_months`, `platform_<p>_trend_months`): a tenant's audience size and growth are its own, so it
 * estimates them from its own posts.
 */
export function isSharedColumn(name: string): boolean {
  return !/^platform_[a-z0-9]+$/.test(name) && !name.includes('trend_months');
}

/**
 * Random-effects (DerSimonian–Laird) pooling of one column's estimates: the between-tenant variance τ² from the
 * spread of the estimates beyond what their own variances explain, then the mean weighted by 1 / (vᵢ + τ²). The
 * prior variance is τ² plus the variance of that mean.
 */
export function poolEstimates(estimates: readonly number[], variances: readonly number[]): { mean: number; variance: number; betweenVariance: number } {
  const k = estimates.length;
  const weights = variances.map((v) => 1 / Math.max(v, MIN_PRIOR_VARIANCE));
  const sumW = weights.reduce((s, w) => s + w, 0);
  const fixedMean = estimates.reduce((s, b, i) => s + weights[i] * b, 0) / sumW;
  const q = estimates.reduce((s, b, i) => s + weights[i] * (b - fixedMean) ** 2, 0);
  const denominator = sumW - weights.reduce((s, w) => s + w * w, 0) / sumW;
  const betweenVariance = k > 1 && denominator > 0 ? Math.max(0, (q - (k - 1)) / denominator) : 0;
  const randomWeights = variances.map((v) => 1 / (Math.max(v, MIN_PRIOR_VARIANCE) + betweenVariance));
  const sumRandom = randomWeights.reduce((s, w) => s + w, 0);
  const mean = estimates.reduce((s, b, i) => s + randomWeights[i] * b, 0) / sumRandom;
  return { mean, variance: Math.max(betweenVariance + 1 / sumRandom, MIN_PRIOR_VARIANCE), betweenVariance };
}

/**
 * The shared prior of the contributed models, or undefined with fewer than {@link MIN_CONTRIBUTORS}. Columns are
 * matched by name; a shared column enters when at least two contributors have it. The result does not depend on
 * the order of the contributions.
 */
export function sharedPrior(models: readonly ContributedModel[]): SharedPrior | undefined {
  if (models.length < MIN_CONTRIBUTORS) return undefined;
  const byColumn = new Map<string, { estimates: number[]; variances: number[] }>();
  for (const model of models) {
    model.columns.forEach((name, j) => {
      const variance = model.coefficientVariances[j];
      if (!isSharedColumn(name) || !Number.isFinite(model.coefficients[j]) || !(variance > 0)) return;
      let column = byColumn.get(name);
      if (!column) byColumn.set(name, (column = { estimates: [], variances: [] }));
      column.estimates.push(model.coefficients[j]);
      column.variances.push(variance);
    });
  }
  const columns: Record<string, ColumnPrior> = {};
  for (const name of [...byColumn.keys()].sort()) {
    const { estimates, variances } = byColumn.get(name)!;
    if (estimates.length < MIN_CONTRIBUTORS) continue;
    // NOTE: sorted inputs make the sums (and the fingerprint) independent of the contributors' order.
    const order = estimates.map((_, i) => i).sort((a, b) => estimates[a] - estimates[b] || variances[a] - variances[b]);
    const pooled = poolEstimates(
      order.map((i) => estimates[i]),
      order.map((i) => variances[i]),
    );
    columns[name] = { mean: pooled.mean, variance: pooled.variance, tenants: estimates.length };
  }
  const residualVariance = [...models.map((m) => m.residualVariance)].sort((a, b) => a - b).reduce((s, v) => s + v, 0) / models.length;
  const platforms = [...new Set(models.flatMap((m) => m.columns.flatMap((name) => /^platform_([a-z0-9]+)_hour_00$/.exec(name)?.[1] ?? [])))].sort();
  const body = { columns, residualVariance, platforms, contributors: models.length };
  return { ...body, fingerprint: createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12) };
}
