// Validation of SearchContent requests at the edge: sub-queries (vector and keyword), weights, candidates, fusion.
import type { Limits } from '../../config.js';
import { nulProblem } from '../../domain/text.js';
import { invalidArgument, resourceExhausted } from '../../errors.js';
import { DEFAULT_RRF_K, MAX_SUB_QUERIES } from './rank-fusion.js';
import { FUSIONS, type ContentSearchQuery, type ContentTarget, type FusionName, type KeywordSubQuery, type VectorSubQuery } from './content-search.types.js';
import { oneOf, validateCollectionName, validateId } from '../embedding.validate.js';
import { type FilterRequest, validateFilter } from '../points/point.validate.js';
import { MAX_TOP_K } from '../search/search.validate.js';
import { validateVector, type VectorInput } from '../vectors/vector.validate.js';

/** Largest weight of one sub-query. */
export const MAX_WEIGHT = 1000;
/** Largest RRF constant k. */
export const MAX_RRF_K = 100_000;
/** Longest keyword query, in characters. */
export const MAX_KEYWORD_LENGTH = 1000;

export interface ContentSubQueryRequest {
  collection: string;
  vector: VectorInput | undefined;
  pointId: string;
  contentId: string;
  /** Unset means 1. */
  weight: number | undefined;
  filter: FilterRequest | undefined;
  candidates: number;
  efSearch: number;
}

export interface KeywordSubQueryRequest {
  collection: string;
  query: string;
  weight: number | undefined;
  filter: FilterRequest | undefined;
  candidates: number;
}

export interface SearchContentRequest {
  subQueries: ContentSubQueryRequest[];
  keyword: KeywordSubQueryRequest | undefined;
  /** Lower-case enum name without prefix, e.g. "rrf"; "unspecified" when unset. */
  fusion: string;
  rrfK: number;
  topK: number;
  exact: boolean;
  rescore: boolean;
}

function validateWeight(weight: number | undefined, field: string): number {
  if (weight === undefined) return 1;
  if (!(weight >= 0 && weight <= MAX_WEIGHT)) throw invalidArgument(`${field} is ${weight}; use 0..${MAX_WEIGHT}, or leave it unset for 1`, field);
  return weight;
}

/** A sub-query's candidates: 0 means min(10 × top_k, the top_k limit); more than the limit is refused. */
function validateCandidates(candidates: number, topK: number, limits: Limits, field: string): number {
  const limit = Math.min(MAX_TOP_K, limits.maxTopK);
  if (candidates > limit) {
    throw invalidArgument(`${field} is ${candidates}; at most ${limit} (the top_k limit, LIMIT_MAX_TOP_K), or 0 for min(10 × top_k, ${limit})`, field);
  }
  return candidates === 0 ? Math.min(10 * topK, limit) : candidates;
}

function validateTarget(request: ContentSubQueryRequest, prefix: string): ContentTarget {
  const hasVector = (request.vector?.values.length ?? 0) > 0 || (request.vector?.float32Le.length ?? 0) > 0;
  const set = [hasVector, request.pointId !== '', request.contentId !== ''].filter(Boolean).length;
  if (set !== 1) throw invalidArgument(`set exactly one of ${prefix}vector, ${prefix}point_id and ${prefix}content_id`, `${prefix}vector`);
  if (hasVector) return { vector: validateVector(request.vector, `${prefix}vector`) };
  if (request.pointId !== '') return { pointId: validateId(request.pointId, `${prefix}point_id`) };
  return { contentId: validateId(request.contentId, `${prefix}content_id`) };
}

function validateSubQuery(request: ContentSubQueryRequest, topK: number, limits: Limits, prefix: string): VectorSubQuery {
  if (request.efSearch > 1000) {
    throw invalidArgument(`${prefix}ef_search is ${request.efSearch}; use 1..1000, or 0 for the collection's default`, `${prefix}ef_search`);
  }
  return {
    collection: validateCollectionName(request.collection, `${prefix}collection`),
    target: validateTarget(request, prefix),
    weight: validateWeight(request.weight, `${prefix}weight`),
    filter: validateFilter(request.filter, `${prefix}filter`, limits),
    candidates: validateCandidates(request.candidates, topK, limits, `${prefix}candidates`),
    efSearch: request.efSearch,
  };
}

function validateKeyword(request: KeywordSubQueryRequest, topK: number, limits: Limits): KeywordSubQuery {
  const text = request.query.trim();
  if (text === '') throw invalidArgument('keyword.query is empty; send the words to find, e.g. "summer tour"', 'keyword.query');
  if (text.length > MAX_KEYWORD_LENGTH) {
    throw invalidArgument(`keyword.query has ${text.length} characters; at most ${MAX_KEYWORD_LENGTH}`, 'keyword.query');
  }
  const nul = nulProblem(text);
  if (nul) throw invalidArgument(`keyword.query ${nul}`, 'keyword.query');
  return {
    collection: validateCollectionName(request.collection, 'keyword.collection'),
    text,
    weight: validateWeight(request.weight, 'keyword.weight'),
    filter: validateFilter(request.filter, 'keyword.filter', limits),
    candidates: validateCandidates(request.candidates, topK, limits, 'keyword.candidates'),
  };
}

/**
 * A SearchContent request: 1..10 vector sub-queries (or none beside a keyword sub-query), at least one weight above
 * 0. NOTE: its cost is bounded here, before any work: at most 10 + 1 sub-queries × the top_k limit candidates each;
 * with rescore, their union (at most the sum of the candidates) scored once more in each sub-query.
 */
export function validateSearchContent(request: SearchContentRequest, limits: Limits): ContentSearchQuery {
  if (request.subQueries.length === 0 && !request.keyword) {
    throw invalidArgument('sub_queries is empty and keyword is unset; send at least one sub-query', 'sub_queries');
  }
  if (request.subQueries.length > MAX_SUB_QUERIES) {
    throw invalidArgument(`sub_queries has ${request.subQueries.length} sub-queries; at most ${MAX_SUB_QUERIES} (plus keyword)`, 'sub_queries');
  }
  if (request.topK < 1 || request.topK > MAX_TOP_K) throw invalidArgument(`top_k is ${request.topK}; use 1..${MAX_TOP_K}`, 'top_k');
  if (request.topK > limits.maxTopK) throw resourceExhausted(`top_k is ${request.topK}; LIMIT_MAX_TOP_K allows at most ${limits.maxTopK}`);
  if (request.rrfK > MAX_RRF_K) throw invalidArgument(`rrf_k is ${request.rrfK}; use 1..${MAX_RRF_K}, or 0 for ${DEFAULT_RRF_K}`, 'rrf_k');
  const subQueries = request.subQueries.map((q, i) => validateSubQuery(q, request.topK, limits, `sub_queries[${i}].`));
  const keyword = request.keyword ? validateKeyword(request.keyword, request.topK, limits) : undefined;
  const weights = [...subQueries.map((q) => q.weight), ...(keyword ? [keyword.weight] : [])];
  if (weights.every((w) => w === 0)) {
    throw invalidArgument('every sub-query has weight 0, so nothing would rank; give at least one a weight above 0 (unset means 1)', 'sub_queries');
  }
  return {
    subQueries,
    ...(keyword ? { keyword } : {}),
    // NOTE: unset means RRF, as in v0.1, but weighted with rescore: RRF over the re-scored union ranks a content of
    // one topic high in both lists and loses agreement (recall@10 0.48 against 1.00 on the issue-30 world).
    fusion: oneOf<FusionName>(request.fusion, FUSIONS, request.rescore ? 'weighted' : 'rrf', 'fusion'),
    rrfK: request.rrfK === 0 ? DEFAULT_RRF_K : request.rrfK,
    topK: request.topK,
    exact: request.exact,
    rescore: request.rescore,
  };
}
