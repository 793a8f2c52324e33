// The probability that each variant is the best, from normal posteriors of the variants' (adjusted) means.
import { normalCdf } from '../learning/math/stats.js';

/** A variant's posterior: mean and variance on the analysis scale. */
export interface Posterior {
  mean: number;
  variance: number;
}

/** Integration grid over the standard normal: ±8 sd in steps of 0.05 (error below 1e-6 on smooth integrands). */
const GRID_STEP = 0.05;
const GRID_LIMIT = 8;

/**
 * P(variant i has the highest mean) (lowest when `higherIsBetter` is false) under independent normal posteriors
 * (flat prior). Two variants: the closed form Φ(Δ / √(V₁ + V₂)); more: ∫ φ_i(x) · Π_{j≠i} Φ_j(x) dx, integrated
 * numerically (deterministic, unlike sampling). Variants without a posterior (NaN) get 0.
 */
export function probabilityBest(posteriors: readonly Posterior[], higherIsBetter: boolean): number[] {
  const sign = higherIsBetter ? 1 : -1;
  const usable = posteriors.map((p) => Number.isFinite(p.mean) && Number.isFinite(p.variance) && p.variance >= 0);
  const indices = posteriors.map((_, i) => i).filter((i) => usable[i]);
  const result = posteriors.map(() => 0);
  // P(draw of j < x), with a point mass when the variance is 0.
  const below = (j: number, x: number) => {
    const sd = Math.sqrt(posteriors[j].variance);
    const mean = sign * posteriors[j].mean;
    return sd > 0 ? normalCdf((x - mean) / sd) : x > mean ? 1 : x < mean ? 0 : 0.5;
  };
  if (indices.length === 1) result[indices[0]] = 1;
  if (indices.length === 2) {
    const [a, b] = indices;
    const sd = Math.sqrt(posteriors[a].variance + posteriors[b].variance);
    const diff = sign * (posteriors[a].mean - posteriors[b].mean);
    result[a] = sd > 0 ? normalCdf(diff / sd) : diff > 0 ? 1 : diff < 0 ? 0 : 0.5;
    result[b] = 1 - result[a];
  }
  if (indices.length <= 2) return result;
  for (const i of indices) {
    const sd = Math.sqrt(posteriors[i].variance);
    const mean = sign * posteriors[i].mean;
    const others = indices.filter((j) => j !== i);
    const beatsAll = (x: number) => others.reduce((p, j) => p * below(j, x), 1);
    if (sd === 0) {
      result[i] = beatsAll(mean);
      continue;
    }
    let total = 0;
    for (let z = -GRID_LIMIT; z <= GRID_LIMIT + 1e-9; z += GRID_STEP) total += Math.exp(-0.5 * z * z) * beatsAll(mean + sd * z);
    result[i] = (total * GRID_STEP) / Math.sqrt(2 * Math.PI);
  }
  return result;
}
