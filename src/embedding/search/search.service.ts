// Domain logic of Search, SearchBatch and Recommend: the collections and stored vectors read first, the checks and the
// response budget, then one repository call that runs the planned searches; hits are scored here.
import type { Limits } from '../../config.js';
import { invalidArgument, notFound } from '../../errors.js';
import type { CollectionInfo, RecommendQuery, ScoredPoint, SearchQuery } from '../embedding.types.js';
import { filterIsEmpty } from '../points/point-filter.js';
import { vectorMismatch } from '../vectors/vector-fit.js';
import { type QueryInputService, StaleCollection } from './query-inputs.service.js';
import { averageVector, exampleVectors } from './recommend.js';
import { HIT_OVERHEAD_BYTES, type InflightAnswerBytes, pointAnswerBytes, ResponseBudget } from './response-budget.js';
import type { SearchRepository } from './search.repository.js';
import type { PlannedSearch, QueryInputRequest, QueryInputs, StoredVectorLookup } from './search.types.js';
import { scoreFromDistance } from './similarity.js';

/** The stored points more-like-this searches start from, by collection name. */
function pointLookups(queries: readonly SearchQuery[]): Map<string, StoredVectorLookup> {
  const lookups = new Map<string, { pointIds: string[]; contentIds: string[] }>();
  for (const { collection, pointId } of queries) {
    if (pointId === undefined) continue;
    const lookup = lookups.get(collection) ?? { pointIds: [], contentIds: [] };
    if (!lookup.pointIds.includes(pointId)) lookup.pointIds.push(pointId);
    lookups.set(collection, lookup);
  }
  return lookups;
}

export class SearchService {
  constructor(
    private readonly inputs: QueryInputService,
    private readonly searches: SearchRepository,
    private readonly limits: Limits,
    /** The process's bound on answers being built at once (LIMIT_MAX_INFLIGHT_RESPONSE_BYTES). */
    private readonly inflight?: InflightAnswerBytes,
  ) {}

  /**
   * Runs the searches (one or many) on one connection; results in request order. The answer's size is bounded
   * before any search runs (vectors and per-hit overhead, known from top_k and the dimensions) and as hits arrive
   * (their metadata), so a batch that would answer more than LIMIT_MAX_RESPONSE_BYTES stops at that size instead of
   * filling the heap (an 800 KB SearchBatch once grew it by 11 GB). An attempt with cached collections that turn
   * out stale is made once more with the registry's (QueryInputService).
   */
  async search(tenantId: string, queries: readonly SearchQuery[]): Promise<ScoredPoint[][]> {
    const request = { tenantId, names: [...new Set(queries.map((q) => q.collection))], lookups: pointLookups(queries) };
    for (let cached = this.inputs.cached(request); ; ) {
      try {
        return await this.searchIn(request, queries, cached);
      } catch (err) {
        cached = this.inputs.retryUncached(request, cached, err);
      }
    }
  }

  /** One attempt: inputs read, searches checked and planned, the budget reserved, then run and scored. */
  private async searchIn(
    request: QueryInputRequest,
    queries: readonly SearchQuery[],
    cached: ReadonlyMap<string, CollectionInfo> | undefined,
  ): Promise<ScoredPoint[][]> {
    const inputs = await this.inputs.read(request, cached);
    const budget = new ResponseBudget(this.limits.maxResponseBytes, queries.length > 1 ? 'SearchBatch' : 'Search', this.inflight);
    try {
      const plans = planSearches(queries, inputs, budget);
      const answers = await this.searches.search(plans, { checkTenant: cached ? request.tenantId : undefined, stopAfterBytes: budget.remainingBytes });
      return answers.map(({ fresh, hits }, i) => {
        if (!fresh) throw new StaleCollection();
        budget.charge(hits.reduce((bytes, hit) => bytes + pointAnswerBytes(hit.point), 0));
        const { distance } = plans[i]!.collection;
        return hits.map((hit) => ({ ...hit, score: scoreFromDistance(distance, hit.distance) }));
      });
    } finally {
      // NOTE: given back when the service answers; the mapped message lives a moment longer, until grpc-js sends it.
      budget.release();
    }
  }

  /**
   * More like the positive examples, less like the negative ones (Qdrant's recommend): the collection and the
   * example ids' vectors are read in one statement (warm cache), then average-vector runs one ordinary search near
   * the combined vector, and best-score scores candidates against every example. The examples are never returned.
   */
  async recommend(tenantId: string, query: RecommendQuery): Promise<ScoredPoint[]> {
    const ids = [...new Set([...query.positiveIds, ...query.negativeIds])];
    const name = query.collection;
    const inputs = await this.inputs.readChecked({ tenantId, names: [name], lookups: new Map([[name, { pointIds: ids, contentIds: [] }]]) });
    const collection = inputs.collections.get(name)!;
    const stored = new Map([...(inputs.points.get(name) ?? [])].map(([id, { vector }]) => [id, vector]));
    const examples = exampleVectors(query, stored, collection);
    const { topK, filter, efSearch, exact, groupByContent, withVectors } = query;
    const search = { topK, filter, efSearch, exact, groupByContent, withVectors, excludeIds: ids };
    if (query.strategy === 'best_score') return this.searches.recommendBestScore(collection, search, examples);
    // NOTE: by the collection's own name, not the alias the caller used: examples and results come from one collection.
    const [hits] = await this.search(tenantId, [{ ...search, collection: collection.name, vector: averageVector(examples, collection.distance) }]);
    return hits!;
  }
}

/**
 * The searches checked against their collections and planned: a vector that does not fit is refused (naming the
 * search in a batch), the answer's known size reserved, then each search gets its vector (a more-like-this search
 * its point's, NOT_FOUND when the point is not there).
 */
function planSearches(queries: readonly SearchQuery[], inputs: QueryInputs, budget: ResponseBudget): PlannedSearch[] {
  const collections = queries.map((query, i) => {
    const collection = inputs.collections.get(query.collection)!;
    const mismatch = query.vector ? vectorMismatch(query.vector, collection) : undefined;
    if (mismatch) {
      const field = queries.length > 1 ? `searches[${i}].vector` : 'vector';
      throw invalidArgument(`${field}: ${mismatch}`, field);
    }
    return collection;
  });
  budget.reserve(queries.reduce((bytes, query, i) => bytes + query.topK * (HIT_OVERHEAD_BYTES + (query.withVectors ? 4 * collections[i]!.dimension : 0)), 0));
  return queries.map((query, i) => {
    const collection = collections[i]!;
    const { collection: _, vector, pointId, ...options } = query;
    const filtered = !filterIsEmpty(query.filter) || (query.excludeIds?.length ?? 0) > 0;
    if (vector) return { collection, options, vector, filtered };
    const stored = inputs.points.get(query.collection)?.get(pointId!);
    if (!stored) throw notFound(`point "${pointId}" not found in collection "${collection.name}"; search by vector or upsert it first`);
    return { collection, options, vector: stored.vector, excludeId: pointId, filtered };
  });
}
