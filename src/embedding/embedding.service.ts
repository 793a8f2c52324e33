// Domain logic of EmbeddingService: collection lookups, per-collection checks, chunked streaming ingest.
import type { Limits } from '../config.js';
import { invalidArgument, resourceExhausted } from '../errors.js';
import type { EmbeddingRepository } from './embedding.repository.js';
import type { SearchRepository } from './search.repository.js';
import type { IndexBuildRepository } from './index-build.repository.js';
import type { IndexBuildService } from './index-build.service.js';
import { averageVector, exampleVectors } from './recommend.js';
import { checkContentSearch, fuseRankings } from './content-search.js';
import { fuseRescored } from './content-search.rescore.js';
import type { ContentHit, ContentSearchQuery } from './content-search.types.js';
import type {
  CollectionInfo,
  CollectionSpec,
  EmbeddingObserver,
  EmbeddingTypeName,
  Metadata,
  MetadataUpdateModeName,
  PointFilter,
  PointInput,
  RecommendQuery,
  ScoredPoint,
  SearchQuery,
  StoredPoint,
  UpsertCounts,
  UpsertStreamChunk,
  UpsertStreamResult,
} from './embedding.types.js';
import { encodePageToken } from '../domain/paging.js';
import { throwIfStopped } from '../domain/deadline.js';
import { filterIsEmpty, scrollFingerprint } from './point-filter.js';
import { vectorMismatch } from './vector-fit.js';

/** Points written per COPY + INSERT transaction of a stream: bounds memory and transaction size. */
export const STREAM_CHUNK_POINTS = 2000;
/** How many rejected points a stream reports individually (all are counted). */
export const MAX_REPORTED_REJECTIONS = 1000;

/**
 * Keeps the last occurrence of each id (a later point overwrites an earlier one, as it would in separate
 * calls); the earlier occurrences count as updates.
 */
export function lastWriteWins(points: readonly PointInput[]): { unique: PointInput[]; overwritten: number } {
  const byId = new Map<string, PointInput>();
  for (const point of points) {
    byId.delete(point.id);
    byId.set(point.id, point);
  }
  return { unique: [...byId.values()], overwritten: points.length - byId.size };
}

/** Collects the rejections of a stream: all counted, the first `MAX_REPORTED_REJECTIONS` kept with reasons. */
class Rejections {
  count = 0;
  readonly reported: { index: number; id: string; reason: string }[] = [];

  add(index: number, id: string, reason: string): void {
    this.count++;
    if (this.reported.length < MAX_REPORTED_REJECTIONS) this.reported.push({ index, id, reason });
  }
}

/** Bytes of a hit besides its ids, vector and metadata (score, distance, times, field tags), rounded up. */
const HIT_OVERHEAD_BYTES = 64;

/** Bytes of one evidence entry of a content hit besides its point id (score, rank, field tags), rounded up. */
const EVIDENCE_OVERHEAD_BYTES = 24;

/** A byte count for a message: KiB below 1 MiB, else MiB. */
const size = (bytes: number) => (bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/** The bytes an answer may still take; RESOURCE_EXHAUSTED, saying what to change, once they would run out. */
class ResponseBudget {
  private used = 0;
  constructor(
    private readonly limitBytes: number,
    private readonly rpc: string,
  ) {}

  /** Counts bytes known before the work starts; refuses the request up front when they alone are too many. */
  reserve(bytes: number): void {
    if (bytes > this.limitBytes) {
      throw resourceExhausted(
        `${this.rpc} could answer ${size(bytes)} before metadata (top_k × (vector + hit) over its searches); at most ${size(this.limitBytes)} (LIMIT_MAX_RESPONSE_BYTES): lower top_k, leave with_vectors off or split the batch`,
      );
    }
    this.used = bytes;
  }

  /** Counts bytes found while working; stops the request once the answer would pass the limit. */
  charge(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limitBytes) {
      throw resourceExhausted(
        `${this.rpc} answer passed ${size(this.limitBytes)} (LIMIT_MAX_RESPONSE_BYTES) with its points' metadata: lower top_k or split the batch`,
      );
    }
  }
}

export class EmbeddingService {
  constructor(
    private readonly repository: EmbeddingRepository,
    private readonly limits: Limits,
    private readonly searches: SearchRepository,
    private readonly indexing: { builds: IndexBuildService; repository: IndexBuildRepository; defaultThreshold: number; observer?: EmbeddingObserver },
  ) {}

  /** Creates the collection; an unset indexing threshold takes the INDEXING_THRESHOLD setting. */
  createCollection(tenantId: string, spec: CollectionSpec): Promise<CollectionInfo> {
    const indexingThreshold = spec.indexingThreshold ?? this.indexing.defaultThreshold;
    return this.repository.createCollection(tenantId, { ...spec, indexingThreshold }, this.limits.maxCollections);
  }

  /** The collection (by name or alias), with the progress of its index build while one runs. */
  async getCollection(tenantId: string, name: string): Promise<CollectionInfo> {
    const collection = await this.repository.getCollection(tenantId, name);
    if (collection.indexState !== 'building') return collection;
    // A build shown as running that no live builder holds is settled here, so it never stays BUILDING for good.
    if (!this.indexing.builds.isRunning(tenantId, collection)) {
      const settled = await this.indexing.repository.settleOrphaned(tenantId, collection);
      if (settled === 'ready') return { ...collection, indexState: 'ready' };
      if (settled === 'rebuild') this.indexing.builds.start(tenantId, collection);
    }
    return { ...collection, indexBuild: await this.indexing.repository.progress(collection) };
  }

  /**
   * Starts the collection's index build now (BuildIndex) and returns the collection as it then is; a collection
   * whose index is ready is only returned.
   */
  async buildIndex(tenantId: string, name: string): Promise<CollectionInfo> {
    const collection = await this.repository.getCollection(tenantId, name);
    if (collection.indexState === 'ready') return collection;
    await this.indexing.repository.markBuilding(tenantId, collection);
    this.indexing.builds.start(tenantId, collection);
    return this.getCollection(tenantId, name);
  }

  /** Starts the index builds a crash or restart cut off, and those due but never started (at start-up). */
  resumeIndexBuilds(): Promise<void> {
    return this.indexing.builds.resume();
  }

  /** Resolves when no index build of this process runs. */
  indexBuildsIdle(): Promise<void> {
    return this.indexing.builds.idle();
  }

  listCollections(tenantId: string, embeddingType: EmbeddingTypeName | undefined): Promise<CollectionInfo[]> {
    return this.repository.listCollections(tenantId, embeddingType);
  }

  deleteCollection(tenantId: string, name: string): Promise<number> {
    return this.repository.deleteCollection(tenantId, name);
  }

  /** Writes unique points, reports the path taken, and starts the index build when the threshold is reached. */
  private async writePoints(tenantId: string, collection: CollectionInfo, points: readonly PointInput[]): Promise<UpsertCounts> {
    const counts = await this.repository.upsertPoints(tenantId, collection, points, this.limits.maxPointsPerCollection);
    if (points.length > 0) this.indexing.observer?.pointsWritten?.(counts.path, points.length);
    if (counts.indexDue) this.indexing.builds.start(tenantId, collection);
    return counts;
  }

  /** All or nothing: one point that does not fit the collection rejects the batch. */
  async upsert(tenantId: string, collectionName: string, points: PointInput[]): Promise<UpsertCounts> {
    const collection = await this.repository.getCollection(tenantId, collectionName);
    points.forEach((point, i) => {
      const mismatch = vectorMismatch(point.vector, collection);
      if (mismatch) throw invalidArgument(`points[${i}] (id "${point.id}"): ${mismatch}; nothing was written`, `points[${i}].vector`);
    });
    const { unique, overwritten } = lastWriteWins(points);
    const counts = await this.writePoints(tenantId, collection, unique);
    return { inserted: counts.inserted, updated: counts.updated + overwritten };
  }

  /**
   * Reads the stream with `for await` (so a slow database slows the sender), writes valid points every
   * `STREAM_CHUNK_POINTS`, and reports invalid ones by their position in the stream.
   */
  async upsertStream(tenantId: string, chunks: AsyncIterable<UpsertStreamChunk>, signal?: AbortSignal): Promise<UpsertStreamResult> {
    let collection: CollectionInfo | undefined;
    /** The name the first message gave: the collection's or an alias resolved once, for the whole stream. */
    let requested = '';
    const totals = { inserted: 0, updated: 0 };
    const rejections = new Rejections();
    let pending: PointInput[] = [];
    let index = 0;
    const flush = async () => {
      throwIfStopped(signal);
      const { unique, overwritten } = lastWriteWins(pending);
      pending = [];
      const counts = await this.writePoints(tenantId, collection!, unique);
      totals.inserted += counts.inserted;
      totals.updated += counts.updated + overwritten;
    };
    for await (const chunk of chunks) {
      if (!collection) {
        if (chunk.collection === '') throw invalidArgument('the first message must name the collection', 'collection');
        requested = chunk.collection;
        collection = await this.repository.getCollection(tenantId, requested);
      } else if (chunk.collection !== '' && chunk.collection !== requested) {
        throw invalidArgument(`collection changed from "${requested}" to "${chunk.collection}" mid-stream; use one stream per collection`, 'collection');
      }
      for (const entry of chunk.points) {
        const reason = entry.ok ? vectorMismatch(entry.point.vector, collection) : entry.reason;
        if (reason !== undefined) rejections.add(index, entry.ok ? entry.point.id : entry.id, reason);
        else if (entry.ok) pending.push(entry.point);
        index++;
      }
      if (pending.length >= STREAM_CHUNK_POINTS) await flush();
    }
    if (pending.length > 0) await flush();
    return { ...totals, rejectedCount: rejections.count, rejected: rejections.reported };
  }

  /** The points, in the order of `ids` (each once); unknown ids are skipped. */
  async getPoints(tenantId: string, collectionName: string, ids: string[], withVectors: boolean): Promise<StoredPoint[]> {
    const collection = await this.repository.getCollection(tenantId, collectionName);
    const found = new Map((await this.repository.getPoints(collection, [...new Set(ids)], withVectors)).map((p) => [p.id, p]));
    return [...new Set(ids)].flatMap((id) => found.get(id) ?? []);
  }

  async deletePoints(tenantId: string, collectionName: string, target: { ids: string[] } | { filter: PointFilter }): Promise<number> {
    const collection = await this.repository.getCollection(tenantId, collectionName);
    return this.repository.deletePoints(tenantId, collection, target);
  }

  /** Deletes a content item's points from every collection of the tenant (DeleteContent); returns how many. */
  deleteContentPoints(tenantId: string, contentId: string): Promise<number> {
    return this.repository.deleteContentPoints(tenantId, contentId);
  }

  async updateMetadata(tenantId: string, collectionName: string, ids: string[], metadata: Metadata, mode: MetadataUpdateModeName): Promise<number> {
    const collection = await this.repository.getCollection(tenantId, collectionName);
    return this.repository.updateMetadata(collection, [...new Set(ids)], metadata, mode, this.limits.maxMetadataBytes);
  }

  async scroll(
    tenantId: string,
    request: { collection: string; filter: PointFilter; afterId: string | undefined; pageSize: number; withVectors: boolean },
  ): Promise<{ points: StoredPoint[]; nextPageToken: string }> {
    const collection = await this.repository.getCollection(tenantId, request.collection);
    const rows = await this.repository.scroll(collection, request.filter, request.afterId, request.pageSize, request.withVectors);
    const points = rows.slice(0, request.pageSize);
    const more = rows.length > request.pageSize;
    const next = more ? encodePageToken([points[points.length - 1]!.id], scrollFingerprint(request.collection, request.filter)) : '';
    return { points, nextPageToken: next };
  }

  /**
   * Runs the searches (one or many) on one connection; results in request order. The answer's size is bounded
   * before any search runs (vectors and per-hit overhead, known from top_k and the dimensions) and as hits arrive
   * (their metadata), so a batch that would answer more than LIMIT_MAX_RESPONSE_BYTES stops at that size instead of
   * filling the heap (an 800 KB SearchBatch once grew it by 11 GB).
   */
  async search(tenantId: string, queries: SearchQuery[]): Promise<ScoredPoint[][]> {
    const names = [...new Set(queries.map((q) => q.collection))];
    const budget = new ResponseBudget(this.limits.maxResponseBytes, queries.length > 1 ? 'SearchBatch' : 'Search');
    return this.searches.search(
      tenantId,
      names,
      (collections) => {
        const planned = queries.map((query, i) => {
          const collection = collections.get(query.collection)!;
          const mismatch = query.vector ? vectorMismatch(query.vector, collection) : undefined;
          if (mismatch) {
            const field = queries.length > 1 ? `searches[${i}].vector` : 'vector';
            throw invalidArgument(`${field}: ${mismatch}`, field);
          }
          return { collection, query, filtered: !filterIsEmpty(query.filter) || (query.excludeIds?.length ?? 0) > 0 };
        });
        budget.reserve(
          planned.reduce((bytes, { collection, query }) => bytes + query.topK * (HIT_OVERHEAD_BYTES + (query.withVectors ? 4 * collection.dimension : 0)), 0),
        );
        return planned;
      },
      (hits) =>
        budget.charge(hits.reduce((bytes, hit) => bytes + hit.point.id.length + hit.point.contentId.length + JSON.stringify(hit.point.metadata).length, 0)),
    );
  }

  /**
   * More like the positive examples, less like the negative ones (Qdrant's recommend): the collection and the
   * example ids' vectors are read in one statement (warm cache), then average-vector runs one ordinary search near
   * the combined vector, and best-score scores candidates against every example. The examples are never returned.
   */
  async recommend(tenantId: string, query: RecommendQuery): Promise<ScoredPoint[]> {
    const ids = [...new Set([...query.positiveIds, ...query.negativeIds])];
    const { collection, vectors } = await this.searches.collectionWithVectors(tenantId, query.collection, ids);
    const examples = exampleVectors(query, vectors, collection);
    const { topK, filter, efSearch, exact, groupByContent, withVectors } = query;
    const search = { topK, filter, efSearch, exact, groupByContent, withVectors, excludeIds: ids };
    if (query.strategy === 'best_score') return this.searches.recommendBestScore(collection, search, examples);
    // NOTE: by the collection's own name, not the alias the caller used: examples and results come from one collection.
    const [hits] = await this.search(tenantId, [{ ...search, collection: collection.name, vector: averageVector(examples, collection.distance) }]);
    return hits!;
  }

  /**
   * SearchContent: each sub-query ranks contents by their best point (a grouped search as Search runs it, or the
   * keyword search), checked against its collection before any runs; the rankings are fused into the top_k
   * contents, or with rescore, every content of their union scored in every sub-query and those scores fused. The answer's size is reserved from top_k and the sub-query count up front, its ids charged after.
   */
  async searchContent(tenantId: string, query: ContentSearchQuery): Promise<ContentHit[]> {
    const weights = [...query.subQueries.map((q) => q.weight), ...(query.keyword ? [query.keyword.weight] : [])];
    const budget = new ResponseBudget(this.limits.maxResponseBytes, 'SearchContent');
    budget.reserve(query.topK * (HIT_OVERHEAD_BYTES + weights.length * EVIDENCE_OVERHEAD_BYTES));
    const { rankings, rescored } = await this.searches.contentRankings(tenantId, query, (collections) => checkContentSearch(query, collections));
    const hits = rescored ? fuseRescored(rescored.union, rescored.columns, weights, query) : fuseRankings(rankings, weights, query);
    budget.charge(hits.reduce((bytes, hit) => hit.evidence.reduce((sum, e) => sum + e.pointId.length, bytes + hit.contentId.length), 0));
    return hits;
  }
}
