// Domain logic of SearchContent: the collections and example vectors read first, the checks, then the sub-queries'
// rankings (and with rescore the union scored in every sub-query) through the repository; scored and fused here.
import type { Limits } from '../../config.js';
import { invalidArgument, notFound } from '../../errors.js';
import type { CollectionInfo } from '../embedding.types.js';
import { type QueryInputService, StaleCollection } from '../search/query-inputs.service.js';
import { EVIDENCE_OVERHEAD_BYTES, HIT_OVERHEAD_BYTES, type InflightAnswerBytes, ResponseBudget } from '../search/response-budget.js';
import type { QueryInputRequest, QueryInputs, StoredVectorLookup } from '../search/search.types.js';
import { scoreFromDistance } from '../search/similarity.js';
import { vectorMismatch } from '../vectors/vector-fit.js';
import type { ContentSearchRepository } from './content-search.repository.js';
import type { ContentHit, ContentSearchQuery, PlannedVectorRanking, RescoredColumn, SubQueryRanking } from './content-search.types.js';
import { fuseRankings } from './rank-fusion.js';
import { fuseRescored, rescoreWork, unionOfCandidates } from './rescore-fusion.js';

export class ContentSearchService {
  constructor(
    private readonly inputs: QueryInputService,
    private readonly repository: ContentSearchRepository,
    private readonly limits: Limits,
    /** The process's bound on answers being built at once (LIMIT_MAX_INFLIGHT_RESPONSE_BYTES). */
    private readonly inflight?: InflightAnswerBytes,
  ) {}

  /**
   * SearchContent: each sub-query ranks contents by their best point (a grouped search as Search runs it, or the
   * keyword search), checked against its collection before any runs; the rankings are fused into the top_k
   * contents, or with rescore, every content of their union scored in every sub-query and those scores fused. The
   * answer's size is reserved from top_k and the sub-query count up front, its ids charged after.
   */
  async searchContent(tenantId: string, query: ContentSearchQuery): Promise<ContentHit[]> {
    const weights = [...query.subQueries.map((q) => q.weight), ...(query.keyword ? [query.keyword.weight] : [])];
    const budget = new ResponseBudget(this.limits.maxResponseBytes, 'SearchContent', this.inflight);
    try {
      budget.reserve(query.topK * (HIT_OVERHEAD_BYTES + weights.length * EVIDENCE_OVERHEAD_BYTES));
      const hits = await this.fusedContents(tenantId, query, weights);
      budget.charge(hits.reduce((bytes, hit) => hit.evidence.reduce((sum, e) => sum + e.pointId.length, bytes + hit.contentId.length), 0));
      return hits;
    } finally {
      budget.release();
    }
  }

  /** The fused answer: an attempt with cached collections, once more with the registry's if they are stale. */
  private async fusedContents(tenantId: string, query: ContentSearchQuery, weights: readonly number[]): Promise<ContentHit[]> {
    const names = [...new Set([...query.subQueries.map((q) => q.collection), ...(query.keyword ? [query.keyword.collection] : [])])];
    const request = { tenantId, names, lookups: exampleLookups(query) };
    for (let cached = this.inputs.cached(request); ; ) {
      try {
        return await this.fusedContentsIn(request, query, weights, cached);
      } catch (err) {
        cached = this.inputs.retryUncached(request, cached, err);
      }
    }
  }

  /** One attempt: inputs read and checked, the rankings run and scored, rescored when asked, then fused. */
  private async fusedContentsIn(
    request: QueryInputRequest,
    query: ContentSearchQuery,
    weights: readonly number[],
    cached: ReadonlyMap<string, CollectionInfo> | undefined,
  ): Promise<ContentHit[]> {
    const inputs = await this.inputs.read(request, cached);
    checkContentSearch(query, inputs.collections);
    const vectors = query.subQueries.map((_, i) => planVectorRanking(query, i, inputs));
    const keyword = query.keyword && { collection: inputs.collections.get(query.keyword.collection)!, keyword: query.keyword };
    const answers = await this.repository.rankings(vectors, keyword, cached ? request.tenantId : undefined);
    if (answers.length < weights.length || answers.some((answer) => !answer.fresh)) throw new StaleCollection();
    const score = (sub: number, value: number) => (sub < vectors.length ? scoreFromDistance(vectors[sub]!.collection.distance, value) : value);
    const rankings = answers.map(
      ({ rows }, sub): SubQueryRanking => ({
        candidates: rows.map(({ contentId, pointId, value }) => ({ contentId, pointId, score: score(sub, value) })),
        ...(vectors[sub]?.exampleContentId === undefined ? {} : { exampleContentId: vectors[sub]!.exampleContentId }),
      }),
    );
    if (!query.rescore) return fuseRankings(rankings, weights, query);
    const union = unionOfCandidates(rankings);
    const work = rescoreWork(rankings, union);
    // NOTE: ts_rank_cd of a text that does not match is 0: the keyword's floor.
    const columns = work.map(({ found }, sub): RescoredColumn & { scores: typeof found } => ({ scores: found, floor: sub < vectors.length ? 'lowest' : 0 }));
    const rows = await this.repository.rescore(
      vectors,
      keyword,
      work.map((w) => w.toScore),
    );
    for (const { sub, contentId, pointId, value } of rows) columns[sub]!.scores.set(contentId, { pointId, score: score(sub, value) });
    return fuseRescored(union, columns, weights, query);
  }
}

/** The stored vectors the example sub-queries start from (a point, the mean of a content's points), by collection. */
function exampleLookups(query: ContentSearchQuery): Map<string, StoredVectorLookup> {
  const lookups = new Map<string, { pointIds: string[]; contentIds: string[] }>();
  for (const { collection, target } of query.subQueries) {
    if ('vector' in target) continue;
    const lookup = lookups.get(collection) ?? { pointIds: [], contentIds: [] };
    if ('pointId' in target) lookup.pointIds.push(target.pointId);
    else lookup.contentIds.push(target.contentId);
    lookups.set(collection, lookup);
  }
  return lookups;
}

/**
 * Refuses sub-queries that do not fit their collections, before any runs: a vector of another dimension (naming
 * the sub-query), a keyword sub-query on a collection without text fields.
 */
function checkContentSearch(query: ContentSearchQuery, collections: ReadonlyMap<string, CollectionInfo>): void {
  query.subQueries.forEach((subQuery, i) => {
    if (!('vector' in subQuery.target)) return;
    const mismatch = vectorMismatch(subQuery.target.vector, collections.get(subQuery.collection)!);
    if (mismatch) throw invalidArgument(`sub_queries[${i}].vector: ${mismatch}`, `sub_queries[${i}].vector`);
  });
  const keyword = query.keyword;
  if (keyword && collections.get(keyword.collection)!.textFields.length === 0) {
    throw invalidArgument(
      `keyword.collection: collection "${keyword.collection}" has no text_fields, so it has nothing to search by keyword; search a collection created with text_fields (e.g. ["caption", "hashtags"])`,
      'keyword.collection',
    );
  }
}

/**
 * Vector sub-query `index` planned: the vector it searches near (its own, its example point's, or the mean of its
 * example content's points) and the example's content, never returned. NOT_FOUND names a missing example; a mean
 * with no direction (cosine, inner product) is refused.
 */
function planVectorRanking(query: ContentSearchQuery, index: number, inputs: QueryInputs): PlannedVectorRanking {
  const subQuery = query.subQueries[index]!;
  const collection = inputs.collections.get(subQuery.collection)!;
  const { target, filter, candidates, efSearch } = subQuery;
  const plan = { collection, filter, candidates, efSearch, exact: query.exact };
  if ('vector' in target) return { ...plan, vector: target.vector };
  if ('pointId' in target) {
    const stored = inputs.points.get(subQuery.collection)?.get(target.pointId);
    if (!stored) throw notFound(`sub_queries[${index}].point_id: point "${target.pointId}" not found in collection "${collection.name}"`);
    return { ...plan, vector: stored.vector, exampleContentId: stored.contentId };
  }
  const mean = inputs.contentMeans.get(subQuery.collection)?.get(target.contentId);
  if (!mean) throw notFound(`sub_queries[${index}].content_id: content "${target.contentId}" has no point in collection "${collection.name}"`);
  if (collection.distance !== 'l2' && mean.every((x) => x === 0)) {
    throw invalidArgument(
      `sub_queries[${index}].content_id: the points of content "${target.contentId}" cancel out (their mean has no direction); search by one of its points instead`,
      `sub_queries[${index}].content_id`,
    );
  }
  return { ...plan, vector: mean, exampleContentId: target.contentId };
}
