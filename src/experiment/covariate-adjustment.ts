// CUPED-style covariate adjustment: each outcome is corrected by what was predicted before publishing (the learned
// virality model's ln(1 + predicted views)), with one slope pooled within variants (ANCOVA). It removes the part of
// the outcome that posting hour, platform and content already explain, so intervals narrow and an imbalance in
// posting hour between variants no longer shows up as an effect.

/** One post's outcome on the analysis scale, its variant (index) and its covariate (null when unknown). */
export interface AnalysisPoint {
  variantIndex: number;
  value: number;
  covariate: number | null;
}

/** One variant's (adjusted) mean on the analysis scale and its variance. */
export interface GroupEstimate {
  n: number;
  mean: number;
  /** mean − θ · (covariate mean of the variant − covariate mean of all posts). */
  adjustedMean: number;
  /** Variance of adjustedMean: residual variance / n. */
  varianceOfMean: number;
  covariateMean: number;
}

export interface AdjustedGroups {
  groups: GroupEstimate[];
  /** Whether an adjustment was applied (enough posts with a covariate that varies). */
  adjusted: boolean;
  theta: number;
  /** Variance of the slope estimate (adds to a difference's variance when covariate means differ). */
  thetaVariance: number;
  /** 1 − pooled residual variance / pooled raw variance (0 without adjustment). */
  varianceReduction: number;
}

/** Posts with a covariate needed before adjusting (a slope from fewer is noise). */
export const MIN_POSTS_FOR_ADJUSTMENT = 10;

const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);

/** Pooled within-variant sum of squares around each variant's mean. */
function withinSquares(byGroup: readonly number[][]): { squares: number; degrees: number } {
  let squares = 0;
  let degrees = 0;
  for (const values of byGroup) {
    if (values.length < 2) continue;
    const m = sum(values) / values.length;
    for (const v of values) squares += (v - m) ** 2;
    degrees += values.length - 1;
  }
  return { squares, degrees };
}

/** Estimates each variant's mean, adjusted for the covariate when `adjust` and the data allow it. */
export function adjustedGroups(points: readonly AnalysisPoint[], variantCount: number, adjust: boolean): AdjustedGroups {
  const known = points.filter((p) => p.covariate !== null && Number.isFinite(p.covariate));
  const covariateMeanAll = known.length ? sum(known.map((p) => p.covariate!)) / known.length : 0;
  // NOTE: a post without a covariate gets the overall covariate mean: it is then simply not adjusted.
  const x = points.map((p) => (p.covariate !== null && Number.isFinite(p.covariate) ? p.covariate : covariateMeanAll));
  const ys: number[][] = Array.from({ length: variantCount }, () => []);
  const xs: number[][] = Array.from({ length: variantCount }, () => []);
  points.forEach((p, i) => {
    ys[p.variantIndex].push(p.value);
    xs[p.variantIndex].push(x[i]);
  });
  let sxx = 0;
  let sxy = 0;
  for (let g = 0; g < variantCount; g++) {
    const n = ys[g].length;
    if (n < 2) continue;
    const my = sum(ys[g]) / n;
    const mx = sum(xs[g]) / n;
    for (let i = 0; i < n; i++) {
      sxx += (xs[g][i] - mx) ** 2;
      sxy += (xs[g][i] - mx) * (ys[g][i] - my);
    }
  }
  const adjusted = adjust && known.length >= MIN_POSTS_FOR_ADJUSTMENT && sxx > 1e-12;
  const theta = adjusted ? sxy / sxx : 0;
  const residuals = ys.map((values, g) => values.map((v, i) => v - theta * xs[g][i]));
  const raw = withinSquares(ys);
  const residual = withinSquares(residuals);
  const residualDegrees = residual.degrees - (adjusted ? 1 : 0);
  const pooledResidualVariance = residualDegrees > 0 ? residual.squares / residualDegrees : Number.NaN;
  const groups = ys.map((values, g): GroupEstimate => {
    const n = values.length;
    const mean = n ? sum(values) / n : Number.NaN;
    const covariateMean = n ? sum(xs[g]) / n : covariateMeanAll;
    const r = residuals[g];
    const rMean = n ? sum(r) / n : 0;
    const groupVariance = n >= 2 ? sum(r.map((v) => (v - rMean) ** 2)) / (n - 1) : Number.NaN;
    return { n, mean, adjustedMean: mean - theta * (covariateMean - covariateMeanAll), varianceOfMean: groupVariance / n, covariateMean };
  });
  return {
    groups,
    adjusted,
    theta,
    thetaVariance: adjusted ? pooledResidualVariance / sxx : 0,
    varianceReduction: adjusted && raw.squares > 0 ? 1 - residual.squares / raw.squares : 0,
  };
}

/** Variance of (adjusted mean of `treatment` − adjusted mean of `control`), including the slope's uncertainty. */
export function differenceVariance(estimate: AdjustedGroups, treatment: number, control: number): number {
  const t = estimate.groups[treatment];
  const c = estimate.groups[control];
  return t.varianceOfMean + c.varianceOfMean + (t.covariateMean - c.covariateMean) ** 2 * estimate.thetaVariance;
}
