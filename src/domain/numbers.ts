// Reductions over many numbers, as loops. NOTE: Math.min(...values), Math.max(...values) and Math.hypot(...v) pass one
// argument per value and overflow the call stack for large arrays (500,000 observation ages did, in the daily
// learning run over 1,000,000 records); test/unit/no-argument-spread.test.ts keeps them out of src/.

/** The smallest and largest value; { min: Infinity, max: -Infinity } when there are none. */
export function extent(values: Iterable<number>): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** The Euclidean length of a vector. */
export function euclideanNorm(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  return Math.sqrt(sum);
}
