// Validation of Recommend requests at the edge: examples, strategy and the options it shares with Search.
import type { Limits } from '../../config.js';
import { invalidArgument } from '../../errors.js';
import { RECOMMEND_STRATEGIES, type RecommendQuery, type RecommendStrategyName } from '../embedding.types.js';
import { oneOf, validateCollectionName, validateId } from '../embedding.validate.js';
import { type SearchOptionsRequest, validateSearchOptions } from './search.validate.js';
import { validateVector, type VectorInput } from '../vectors/vector.validate.js';
import { MAX_RECOMMEND_EXAMPLES } from './recommend.js';

export interface RecommendRequest extends SearchOptionsRequest {
  collection: string;
  positiveIds: string[];
  negativeIds: string[];
  positiveVectors: VectorInput[];
  negativeVectors: VectorInput[];
  /** Lower-case enum name without prefix, e.g. "best_score"; "unspecified" when unset. */
  strategy: string;
}

export function validateRecommend(request: RecommendRequest, limits: Limits): RecommendQuery {
  const collection = validateCollectionName(request.collection);
  if (request.positiveIds.length + request.positiveVectors.length === 0) {
    throw invalidArgument('no positive example: set positive_ids or positive_vectors (negative examples only say what to avoid)', 'positive_ids');
  }
  const examples = request.positiveIds.length + request.negativeIds.length + request.positiveVectors.length + request.negativeVectors.length;
  if (examples > MAX_RECOMMEND_EXAMPLES) {
    throw invalidArgument(
      `the request has ${examples} examples; at most ${MAX_RECOMMEND_EXAMPLES} positive and negative ids and vectors in all`,
      'positive_ids',
    );
  }
  const positiveIds = request.positiveIds.map((id, i) => validateId(id, `positive_ids[${i}]`));
  const negativeIds = request.negativeIds.map((id, i) => validateId(id, `negative_ids[${i}]`));
  const both = negativeIds.find((id) => positiveIds.includes(id));
  if (both !== undefined) throw invalidArgument(`point "${both}" is both a positive and a negative example; keep it in one list`, 'negative_ids');
  return {
    collection,
    positiveIds: [...new Set(positiveIds)],
    negativeIds: [...new Set(negativeIds)],
    positiveVectors: request.positiveVectors.map((v, i) => validateVector(v, `positive_vectors[${i}]`)),
    negativeVectors: request.negativeVectors.map((v, i) => validateVector(v, `negative_vectors[${i}]`)),
    strategy: oneOf<RecommendStrategyName>(request.strategy, RECOMMEND_STRATEGIES, 'average_vector', 'strategy'),
    ...validateSearchOptions(request, limits),
  };
}
