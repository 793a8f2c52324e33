// The sufficient statistics of a virality fit that follows the stream: Σxxᵀ, Σx, Σxy, Σy and the count of the
// outcomes counted so far, in the daily model's columns. A new outcome is added; a post whose views moved is
// removed with the value it was counted with and added with the new one (each post counted once). Refitting
// from them with the daily model's penalties costs one p × p solve, whatever the history.
import { RidgeSums, solveRidge } from '../math/ridge.js';
import { columnIndex, encodeFeatures } from './virality-features.js';
import { penaltyMatrix } from './virality-fit.js';
import type { ViralityFeatures } from './virality.js';
import type { ViralityModelParams } from './virality-model.js';

/** The stored form of the statistics (plain JSON). */
export interface StoredSums {
  size: number;
  rows: number;
  gram: number[];
  sums: number[];
  moment: number[];
  targetSum: number;
}

export const toStored = (s: RidgeSums): StoredSums => ({
  size: s.size,
  rows: s.rows,
  gram: Array.from(s.gram),
  sums: Array.from(s.sums),
  moment: Array.from(s.moments[0]),
  targetSum: s.targetSums[0],
});

export function fromStored(stored: StoredSums): RidgeSums {
  const s = new RidgeSums(stored.size, 1);
  s.rows = stored.rows;
  s.gram.set(stored.gram);
  s.sums.set(stored.sums);
  s.moments[0].set(stored.moment);
  s.targetSums[0] = stored.targetSum;
  return s;
}

/** Encodes outcomes in a model's columns and adds (sign 1) or removes (sign −1) them from sums. */
export class OutcomeFolder {
  private readonly at;
  private readonly platformIndex;
  private readonly indices;
  private readonly values;

  constructor(private readonly params: ViralityModelParams) {
    this.at = columnIndex(params.layout);
    this.platformIndex = new Map(params.layout.platforms.map((p, i) => [p, i]));
    this.indices = new Int32Array(this.at.maxEntries);
    this.values = new Float64Array(this.at.maxEntries);
  }

  /** An empty set of sums of this model's width. */
  empty(): RidgeSums {
    return new RidgeSums(this.at.size, 1);
  }

  /** Adds (sign 1) or removes (sign −1) one outcome: the features and ln(1 + views) it is counted with. */
  fold(sums: RidgeSums, features: ViralityFeatures, logViews: number, sign: 1 | -1): void {
    const count = encodeFeatures(features, this.params.layout, this.at, this.platformIndex, this.indices, this.values);
    if (sign === 1) {
      sums.add(this.indices, this.values, count, [logViews]);
      return;
    }
    // NOTE: removal is the addition of the negated products: Σxxᵀ loses x·xᵀ (x negated once), Σx and Σxy lose x.
    const negated = this.values.map((v) => -v);
    for (let a = 0; a < count; a++) {
      const i = this.indices[a];
      sums.sums[i] -= this.values[a];
      sums.moments[0][i] -= this.values[a] * logViews;
      for (let b = 0; b <= a; b++) sums.gram[i * sums.size + this.indices[b]] += negated[a] * this.values[b];
    }
    sums.rows--;
    sums.targetSums[0] -= logViews;
  }

  /**
   * The daily model refitted on `sums` with its own penalties (λ and smoothing as the daily run chose them); the
   * interval, engagement head, timing covariance and history quantiles stay the daily model's.
   */
  refit(sums: RidgeSums, refresh: NonNullable<ViralityModelParams['refresh']>): ViralityModelParams {
    const { params, at } = this;
    const n = Math.max(1, sums.rows);
    const variances = new Float64Array(at.size);
    for (let j = 0; j < at.size; j++) variances[j] = sums.gram[j * at.size + j] / n - (sums.sums[j] / n) ** 2;
    const penalty = penaltyMatrix(at, params.layout.platforms.length, variances, params.logViews.lambda, params.logViews.smoothing);
    const solution = solveRidge(sums, 0, penalty);
    return {
      ...params,
      means: Array.from(solution.means),
      logViews: { ...params.logViews, intercept: solution.intercept, coefficients: Array.from(solution.coefficients) },
      trainedExamples: sums.rows,
      refresh,
    };
  }
}
