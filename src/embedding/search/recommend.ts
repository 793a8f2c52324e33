// Recommend's pure parts: resolving example ids to vectors (with the reasons a request is refused) and the
// average-vector strategy's target. No database: the service fetches, these combine.
import { invalidArgument } from '../../errors.js';
import type { CollectionInfo, DistanceName, RecommendExamples, RecommendQuery } from '../embedding.types.js';
import { vectorMismatch } from '../vectors/vector-fit.js';
import { euclideanNorm } from '../../domain/numbers.js';

/** Positive and negative example ids and vectors allowed per Recommend, in all. */
export const MAX_RECOMMEND_EXAMPLES = 100;

/**
 * The examples' vectors: stored vectors of the example ids (from `stored`), then the given vectors. Unknown ids
 * are named (INVALID_ARGUMENT: the request is wrong, not the collection), and every vector must fit the collection.
 */
export function exampleVectors(query: RecommendQuery, stored: ReadonlyMap<string, Float32Array>, collection: CollectionInfo): RecommendExamples {
  const lookUp = (ids: string[], field: string, vectorsField: string) => {
    const missing = ids.filter((id) => !stored.has(id));
    if (missing.length > 0) {
      const names = missing.map((id) => `"${id}"`).join(', ');
      throw invalidArgument(
        `${field} name points not in collection "${collection.name}": ${names}; upsert them first, or send their vectors in ${vectorsField}`,
        field,
      );
    }
    return ids.map((id) => stored.get(id)!);
  };
  const fitting = (vectors: Float32Array[], field: string) =>
    vectors.map((vector, i) => {
      const mismatch = vectorMismatch(vector, collection);
      if (mismatch) throw invalidArgument(`${field}[${i}]: ${mismatch}`, `${field}[${i}]`);
      return vector;
    });
  return {
    positive: [...lookUp(query.positiveIds, 'positive_ids', 'positive_vectors'), ...fitting(query.positiveVectors, 'positive_vectors')],
    negative: [...lookUp(query.negativeIds, 'negative_ids', 'negative_vectors'), ...fitting(query.negativeVectors, 'negative_vectors')],
  };
}

function mean(vectors: readonly Float32Array[], dimension: number, unitLength: boolean): Float64Array {
  const sum = new Float64Array(dimension);
  for (const vector of vectors) {
    const scale = unitLength ? 1 / euclideanNorm(vector) : 1;
    for (let i = 0; i < dimension; i++) sum[i]! += vector[i]! * scale;
  }
  return sum.map((x) => x / vectors.length);
}

/**
 * The average-vector target, as Qdrant computes it: mean(positives) + (mean(positives) − mean(negatives)), or
 * mean(positives) without negatives. Under cosine every example is scaled to length 1 first, so a long vector
 * weighs no more than a short one; the other distances use the vectors as stored. A target with no direction
 * under cosine (the examples cancel out) is INVALID_ARGUMENT.
 */
export function averageVector(examples: RecommendExamples, distance: DistanceName): Float32Array {
  const dimension = examples.positive[0]!.length;
  const unitLength = distance === 'cosine';
  const positive = mean(examples.positive, dimension, unitLength);
  const negative = examples.negative.length === 0 ? undefined : mean(examples.negative, dimension, unitLength);
  const result = Float32Array.from(negative ? positive.map((p, i) => 2 * p - negative[i]!) : positive);
  if (unitLength && result.every((x) => x === 0)) {
    throw invalidArgument(
      'the positive and negative examples cancel out (their combined vector is zero); use the best_score strategy or other examples',
      'negative_ids',
    );
  }
  return result;
}
