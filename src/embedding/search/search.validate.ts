// Validation of Search and SearchBatch requests, and of the options Recommend shares with them: plain data in and out.
import type { Limits } from '../../config.js';
import { invalidArgument, resourceExhausted } from '../../errors.js';
import { validateCollectionName, validateId } from '../embedding.validate.js';
import type { SearchOptions, SearchQuery } from '../embedding.types.js';
import { type FilterRequest, validateFilter } from '../points/point.validate.js';
import { validateVector, type VectorInput } from '../vectors/vector.validate.js';

export const MAX_TOP_K = 1000;
export const MAX_SEARCHES_PER_BATCH = 100;

export interface SearchRequest {
  collection: string;
  vector: VectorInput | undefined;
  pointId: string;
  topK: number;
  filter: FilterRequest | undefined;
  efSearch: number;
  exact: boolean;
  groupByContent: boolean;
  withVectors: boolean;
}

/** The options Search and Recommend share: top_k, ef_search, filter, exact, grouping and vectors. */
export type SearchOptionsRequest = Pick<SearchRequest, 'topK' | 'filter' | 'efSearch' | 'exact' | 'groupByContent' | 'withVectors'>;

export function validateSearchOptions(request: SearchOptionsRequest, limits: Limits, prefix = ''): SearchOptions {
  if (request.topK < 1 || request.topK > MAX_TOP_K) {
    throw invalidArgument(`${prefix}top_k is ${request.topK}; use 1..${MAX_TOP_K}`, `${prefix}top_k`);
  }
  if (request.topK > limits.maxTopK) {
    throw resourceExhausted(`${prefix}top_k is ${request.topK}; LIMIT_MAX_TOP_K allows at most ${limits.maxTopK}`);
  }
  if (request.efSearch > 1000) {
    throw invalidArgument(`${prefix}ef_search is ${request.efSearch}; use 1..1000, or 0 for the collection's default`, `${prefix}ef_search`);
  }
  return {
    topK: request.topK,
    filter: validateFilter(request.filter, `${prefix}filter`, limits),
    efSearch: request.efSearch,
    exact: request.exact,
    groupByContent: request.groupByContent,
    withVectors: request.withVectors,
  };
}

export function validateSearch(request: SearchRequest, limits: Limits, prefix = ''): SearchQuery {
  const collection = validateCollectionName(request.collection, `${prefix}collection`);
  const hasVector = (request.vector?.values.length ?? 0) > 0 || (request.vector?.float32Le.length ?? 0) > 0;
  if (hasVector === (request.pointId !== '')) {
    throw invalidArgument(`set exactly one of ${prefix}vector and ${prefix}point_id`, `${prefix}vector`);
  }
  const options = validateSearchOptions(request, limits, prefix);
  return {
    collection,
    vector: hasVector ? validateVector(request.vector, `${prefix}vector`) : undefined,
    pointId: hasVector ? undefined : validateId(request.pointId, `${prefix}point_id`),
    ...options,
  };
}

export function validateSearchBatch(request: { searches: SearchRequest[] }, limits: Limits): SearchQuery[] {
  if (request.searches.length === 0) throw invalidArgument('searches is empty; send at least one search', 'searches');
  if (request.searches.length > MAX_SEARCHES_PER_BATCH) {
    throw invalidArgument(`searches has ${request.searches.length} searches; at most ${MAX_SEARCHES_PER_BATCH} per call`, 'searches');
  }
  return request.searches.map((s, i) => validateSearch(s, limits, `searches[${i}].`));
}
