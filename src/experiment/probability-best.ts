// The probability that each variant is the best, from normal posteriors of the variants' (adjusted) means.
import { gaussian, mulberry32, normalCdf } from '../learning/math/stats.js';

/** A variant's posterior: mean and variance on the analysis scale. */
export interface Posterior {
  mean: number;
  variance: number;
}

/** Draws used with three or more variants; seeded, so the same data always gives the same answer. */
const DRAWS = 4000;

/**
 * P(variant i has the highest mean) (lowest when `higherIsBetter` is false) under independent normal posteriors
 * (flat prior). Two variants: exact; more: Monte Carlo with a fixed seed. Variants without a posterior (NaN) get 0.
 */
export function probabilityBest(posteriors: readonly Posterior[], higherIsBetter: boolean): number[] {
  const sign = higherIsBetter ? 1 : -1;
  const usable = posteriors.map((p) => Number.isFinite(p.mean) && Number.isFinite(p.variance) && p.variance >= 0);
  const indices = posteriors.map((_, i) => i).filter((i) => usable[i]);
  const result = posteriors.map(() => 0);
  if (indices.length === 0) return result;
  if (indices.length === 1) {
    result[indices[0]] = 1;
    return result;
  }
  if (indices.length === 2) {
    const [a, b] = indices;
    const sd = Math.sqrt(posteriors[a].variance + posteriors[b].variance);
    const diff = sign * (posteriors[a].mean - posteriors[b].mean);
    result[a] = sd > 0 ? normalCdf(diff / sd) : diff > 0 ? 1 : diff < 0 ? 0 : 0.5;
    result[b] = 1 - result[a];
    return result;
  }
  const random = mulberry32(0x5eed);
  const wins = posteriors.map(() => 0);
  for (let draw = 0; draw < DRAWS; draw++) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (const i of indices) {
      const value = sign * (posteriors[i].mean + Math.sqrt(posteriors[i].variance) * gaussian(random));
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    wins[best]++;
  }
  return wins.map((w) => w / DRAWS);
}
