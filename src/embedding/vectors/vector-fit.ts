// Whether a vector fits a collection as the database will store and sum it (dimension, direction under cosine, the
// precision's range, distances that stay finite). Pure: the edge and the service both ask it.
import type { CollectionInfo, PrecisionName } from '../embedding.types.js';
import { FLOAT16_MAX, float16Bits, float16Value } from './vector-codec.js';

/**
 * Why `vector` does not fit `collection`, or undefined when it does: wrong dimension, a zero vector under
 * cosine, or a component too big for float16.
 */
export function vectorMismatch(vector: Float32Array, collection: CollectionInfo): string | undefined {
  if (vector.length !== collection.dimension) {
    return `vector has ${vector.length} dimensions, collection "${collection.name}" expects ${collection.dimension}`;
  }
  if (collection.precision === 'float16') {
    const at = vector.findIndex((v) => Math.abs(v) > FLOAT16_MAX);
    if (at >= 0) return `vector component ${at} is ${vector[at]}; float16 collection "${collection.name}" stores at most ±${FLOAT16_MAX}`;
  }
  // NOTE: judged as stored (float16 rounds 1e-30 to 0) and as pgvector sums it (float32 accumulators): a vector
  // whose squared length underflows has no direction, and one whose distances could overflow scores NaN/Infinity.
  const squaredNorm = storedSquaredNorm(vector, collection.precision);
  if (collection.distance === 'cosine' && squaredNorm < FLOAT32_MIN_NORMAL) {
    return squaredNorm === 0 && vector.every((v) => v === 0)
      ? 'vector is all zeros, which has no direction under cosine distance; send a non-zero vector'
      : `vector is too close to zero to have a direction under cosine distance as ${collection.precision} (squared length ${squaredNorm}); scale it up`;
  }
  if (!(squaredNorm <= MAX_SQUARED_NORM)) {
    return `vector is too long (squared length ${squaredNorm}); at most ${MAX_SQUARED_NORM.toExponential(1)}, so distances stay finite; scale it down`;
  }
  return undefined;
}

/** The smallest normal float32: below it pgvector's float32 arithmetic loses the vector's direction. */
const FLOAT32_MIN_NORMAL = 2 ** -126;
/** Largest squared length accepted: a distance between two such vectors, (|a| + |b|)², stays within float32. */
const MAX_SQUARED_NORM = 3.4e38 / 4;

/** The vector's squared length as the database computes it: components as stored, summed in float32. */
function storedSquaredNorm(vector: Float32Array, precision: PrecisionName): number {
  let sum = 0;
  for (const v of vector) {
    const stored = precision === 'float16' ? float16Value(float16Bits(v)) : v;
    sum = Math.fround(sum + Math.fround(stored * stored));
  }
  return sum;
}
