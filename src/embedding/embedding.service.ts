// Domain logic of EmbeddingService: collection lookups, per-collection checks, chunked streaming ingest.
import type { Limits } from '../config.js';
import { invalidArgument, resourceExhausted } from '../errors.js';
import type { EmbeddingRepository } from './embedding.repository.js';
import type {
  CollectionInfo,
  CollectionSpec,
  EmbeddingTypeName,
  Metadata,
  MetadataUpdateModeName,
  PointFilter,
  PointInput,
  ScoredPoint,
  SearchQuery,
  StoredPoint,
  UpsertCounts,
  UpsertStreamChunk,
  UpsertStreamResult,
} from './embedding.types.js';
import { encodePageToken } from '../domain/paging.js';
import { filterIsEmpty, scrollFingerprint, vectorMismatch } from './embedding.validate.js';

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
  ) {}

  createCollection(tenantId: string, spec: CollectionSpec): Promise<CollectionInfo> {
    return this.repository.createCollection(tenantId, spec, this.limits.maxCollections);
  }

  getCollection(tenantId: string, name: string): Promise<CollectionInfo> {
    return this.repository.getCollection(tenantId, name);
  }

  listCollections(tenantId: string, embeddingType: EmbeddingTypeName | undefined): Promise<CollectionInfo[]> {
    return this.repository.listCollections(tenantId, embeddingType);
  }

  deleteCollection(tenantId: string, name: string): Promise<number> {
    return this.repository.deleteCollection(tenantId, name);
  }

  /** All or nothing: one point that does not fit the collection rejects the batch. */
  async upsert(tenantId: string, collectionName: string, points: PointInput[]): Promise<UpsertCounts> {
    const collection = await this.repository.getCollection(tenantId, collectionName);
    points.forEach((point, i) => {
      const mismatch = vectorMismatch(point.vector, collection);
      if (mismatch) throw invalidArgument(`points[${i}] (id "${point.id}"): ${mismatch}; nothing was written`, `points[${i}].vector`);
    });
    const { unique, overwritten } = lastWriteWins(points);
    const counts = await this.repository.upsertPoints(tenantId, collection, unique, this.limits.maxPointsPerCollection);
    return { inserted: counts.inserted, updated: counts.updated + overwritten };
  }

  /**
   * Reads the stream with `for await` (so a slow database slows the sender), writes valid points every
   * `STREAM_CHUNK_POINTS`, and reports invalid ones by their position in the stream.
   */
  async upsertStream(tenantId: string, chunks: AsyncIterable<UpsertStreamChunk>, signal?: AbortSignal): Promise<UpsertStreamResult> {
    let collection: CollectionInfo | undefined;
    const totals = { inserted: 0, updated: 0 };
    const rejections = new Rejections();
    let pending: PointInput[] = [];
    let index = 0;
    const flush = async () => {
      signal?.throwIfAborted();
      const { unique, overwritten } = lastWriteWins(pending);
      pending = [];
      const counts = await this.repository.upsertPoints(tenantId, collection!, unique, this.limits.maxPointsPerCollection);
      totals.inserted += counts.inserted;
      totals.updated += counts.updated + overwritten;
    };
    for await (const chunk of chunks) {
      if (!collection) {
        if (chunk.collection === '') throw invalidArgument('the first message must name the collection', 'collection');
        collection = await this.repository.getCollection(tenantId, chunk.collection);
      } else if (chunk.collection !== '' && chunk.collection !== collection.name) {
        throw invalidArgument(`collection changed from "${collection.name}" to "${chunk.collection}" mid-stream; use one stream per collection`, 'collection');
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
    return this.repository.search(
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
          return { collection, query, filtered: !filterIsEmpty(query.filter) };
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
}
