// Generalised ridge regression from sufficient statistics of sparse rows: sums of blocks add, so a time-ordered
// cross-validation over many penalties costs one pass over the rows.
import { choleskyFactor, solveFactored } from './linear-algebra.js';

/** Σxxᵀ, Σx, Σxy and Σy (per target) of a set of rows; rows are sparse (ascending column indices). */
export class RidgeSums {
  /** Lower triangle of Σxxᵀ (row-major, p × p); the upper triangle is filled when solving. */
  readonly gram: Float64Array;
  readonly sums: Float64Array;
  readonly moments: Float64Array[];
  readonly targetSums: number[];
  rows = 0;

  constructor(
    readonly size: number,
    readonly targets: number,
  ) {
    this.gram = new Float64Array(size * size);
    this.sums = new Float64Array(size);
    this.moments = Array.from({ length: targets }, () => new Float64Array(size));
    this.targetSums = new Array<number>(targets).fill(0);
  }

  /** Adds one row: `count` entries of `indices` (ascending) and `values`, and its target values. */
  add(indices: ArrayLike<number>, values: ArrayLike<number>, count: number, targetValues: ArrayLike<number>): void {
    const { gram, size, sums, moments } = this;
    this.rows++;
    for (let t = 0; t < this.targets; t++) this.targetSums[t] += targetValues[t];
    for (let a = 0; a < count; a++) {
      const i = indices[a];
      const xi = values[a];
      if (xi === 0) continue;
      sums[i] += xi;
      for (let t = 0; t < this.targets; t++) moments[t][i] += xi * targetValues[t];
      const base = i * size;
      for (let b = 0; b <= a; b++) gram[base + indices[b]] += xi * values[b];
    }
  }

  /** The sums of this and other rows (a new object). */
  plus(other: RidgeSums): RidgeSums {
    const total = new RidgeSums(this.size, this.targets);
    total.rows = this.rows + other.rows;
    for (let k = 0; k < this.gram.length; k++) total.gram[k] = this.gram[k] + other.gram[k];
    for (let j = 0; j < this.size; j++) total.sums[j] = this.sums[j] + other.sums[j];
    for (let t = 0; t < this.targets; t++) {
      total.targetSums[t] = this.targetSums[t] + other.targetSums[t];
      for (let j = 0; j < this.size; j++) total.moments[t][j] = this.moments[t][j] + other.moments[t][j];
    }
    return total;
  }
}

/** A fitted linear function: intercept + Σ coefficients · x (raw, uncentred columns). */
export interface RidgeSolution {
  intercept: number;
  coefficients: Float64Array;
  /** The column means of the rows fitted on. */
  means: Float64Array;
  /** Mean of the target over the rows fitted on (= prediction at the column means). */
  targetMean: number;
  /** The penalised, centred system matrix (p × p, full), for the posterior covariance of the coefficients. */
  system: Float64Array;
}

/**
 * Cholesky factors of solved systems by their sums and penalty: the targets of one set of rows share the system
 * (only the right-hand side differs), so a second target fitted with the same penalty needs no new factorisation.
 */
export type FactorCache = WeakMap<RidgeSums, Map<ArrayLike<number>, { system: Float64Array; lower: Float64Array }>>;

/**
 * Solves min Σ(y − b − xᵀβ)² + βᵀ P β (intercept b unpenalised) from sums; `penalty` is P (p × p, row-major,
 * symmetric, positive definite). With `cache`, the system's factor is reused for the same sums and penalty object.
 */
export function solveRidge(sums: RidgeSums, target: number, penalty: ArrayLike<number>, cache?: FactorCache): RidgeSolution {
  const p = sums.size;
  const n = Math.max(sums.rows, 1);
  const means = new Float64Array(p);
  for (let j = 0; j < p; j++) means[j] = sums.sums[j] / n;
  const targetMean = sums.targetSums[target] / n;
  const rhs = new Float64Array(p);
  const moment = sums.moments[target];
  for (let i = 0; i < p; i++) rhs[i] = moment[i] - n * means[i] * targetMean;
  let factored = cache?.get(sums)?.get(penalty);
  if (!factored) {
    const system = new Float64Array(p * p);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j <= i; j++) {
        const centred = sums.gram[i * p + j] - n * means[i] * means[j];
        system[i * p + j] = centred + penalty[i * p + j];
        system[j * p + i] = centred + penalty[j * p + i];
      }
    }
    factored = { system, lower: choleskyFactor(system, p) };
    if (cache) {
      const bySums = cache.get(sums) ?? new Map();
      bySums.set(penalty, factored);
      cache.set(sums, bySums);
    }
  }
  const coefficients = solveFactored(factored.lower, rhs, p);
  let intercept = targetMean;
  for (let j = 0; j < p; j++) intercept -= means[j] * coefficients[j];
  return { intercept, coefficients, means, targetMean, system: factored.system };
}

/** Adds λ·(β_a − β_b)² for each consecutive pair of `columns` (circular when `circular`) to a p × p penalty. */
export function addDifferencePenalty(penalty: Float64Array, p: number, columns: readonly number[], lambda: number, circular: boolean): void {
  const pairs = circular ? columns.length : columns.length - 1;
  for (let k = 0; k < pairs; k++) {
    const a = columns[k];
    const b = columns[(k + 1) % columns.length];
    penalty[a * p + a] += lambda;
    penalty[b * p + b] += lambda;
    penalty[a * p + b] -= lambda;
    penalty[b * p + a] -= lambda;
  }
}
