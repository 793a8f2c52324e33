// Always-valid confidence intervals for a difference of means: the mixture sequential probability ratio test
// (mSPRT, normal mixture), so an experiment may be checked every day and stopped at any look without inflating
// the false-positive rate (Johari, Pekelis & Walsh 2017; Howard et al. 2021).

/**
 * Half-width of the always-valid (1 − alpha) interval of an estimate whose variance is `variance`, under a
 * normal mixture of effects with variance `mixingVariance` (τ²: how large effects are expected to be).
 *
 * The mixture likelihood ratio of effect θ is Λ = √(V/(V+τ²)) · exp(τ²(Δ̂−θ)² / (2V(V+τ²))); the interval is every
 * θ with Λ < 1/alpha, i.e. |Δ̂ − θ| < √(V(V+τ²)/τ² · (2 ln(1/alpha) + ln((V+τ²)/V))).
 * NOTE: V is the plug-in estimate of the current look (asymptotically valid); callers require a minimum sample
 * before acting on an interval, which is where the plug-in is rough.
 */
export function alwaysValidHalfWidth(variance: number, mixingVariance: number, alpha: number): number {
  if (!(variance > 0) || !(mixingVariance > 0)) return variance === 0 ? 0 : Number.POSITIVE_INFINITY;
  const total = variance + mixingVariance;
  return Math.sqrt(((variance * total) / mixingVariance) * (2 * Math.log(1 / alpha) + Math.log(total / variance)));
}

/**
 * Half-width of the ordinary fixed-horizon (1 − alpha) normal interval: valid for ONE look only. Kept to show
 * (in the simulations) what daily peeking at it does to the false-positive rate.
 */
export function fixedHorizonHalfWidth(variance: number, alpha: number): number {
  return normalQuantile(1 - alpha / 2) * Math.sqrt(variance);
}

/** Inverse CDF of the standard normal (Acklam's rational approximation, relative error < 1.2e-9 after refinement). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
