// Domain logic of a collection's points: per-collection checks, last write wins, chunked streaming ingest, the index
// build started once a write reaches the collection's threshold, reads by id and by page.
import type { Limits } from '../../config.js';
import { throwIfStopped } from '../../domain/deadline.js';
import { encodePageToken } from '../../domain/paging.js';
import { invalidArgument } from '../../errors.js';
import type { CollectionRepository } from '../collections/collection.repository.js';
import type {
  CollectionInfo,
  EmbeddingObserver,
  Metadata,
  MetadataUpdateModeName,
  PointFilter,
  PointInput,
  StoredPoint,
  UpsertCounts,
  UpsertStreamChunk,
  UpsertStreamResult,
} from '../embedding.types.js';
import type { IndexBuildService } from '../indexing/index-build.service.js';
import { vectorMismatch } from '../vectors/vector-fit.js';
import { scrollFingerprint } from './point-filter.js';
import type { PointRepository } from './point.repository.js';

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

/** Writing and reading a collection's points; DeleteContent (metrics) deletes a content's points through it. */
export class PointService {
  constructor(
    private readonly collections: CollectionRepository,
    private readonly repository: PointRepository,
    private readonly limits: Limits,
    private readonly indexing: { builds: Pick<IndexBuildService, 'start'>; observer?: EmbeddingObserver },
  ) {}

  /** Writes unique points, reports the path taken, and starts the index build when the threshold is reached. */
  private async writePoints(tenantId: string, collection: CollectionInfo, points: readonly PointInput[]): Promise<UpsertCounts> {
    const counts = await this.repository.upsertPoints(tenantId, collection, points, this.limits.maxPointsPerCollection);
    if (points.length > 0) this.indexing.observer?.pointsWritten?.(counts.path, points.length);
    if (counts.indexDue) this.indexing.builds.start(tenantId, collection);
    return counts;
  }

  /** All or nothing: one point that does not fit the collection rejects the batch. */
  async upsert(tenantId: string, collectionName: string, points: PointInput[]): Promise<UpsertCounts> {
    const collection = await this.collections.getCollection(tenantId, collectionName);
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
        collection = await this.collections.getCollection(tenantId, requested);
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
    const collection = await this.collections.getCollection(tenantId, collectionName);
    const found = new Map((await this.repository.getPoints(collection, [...new Set(ids)], withVectors)).map((p) => [p.id, p]));
    return [...new Set(ids)].flatMap((id) => found.get(id) ?? []);
  }

  async deletePoints(tenantId: string, collectionName: string, target: { ids: string[] } | { filter: PointFilter }): Promise<number> {
    const collection = await this.collections.getCollection(tenantId, collectionName);
    return this.repository.deletePoints(tenantId, collection, target);
  }

  /** Deletes a content item's points from every collection of the tenant (DeleteContent); returns how many. */
  deleteContentPoints(tenantId: string, contentId: string): Promise<number> {
    return this.repository.deleteContentPoints(tenantId, contentId);
  }

  async updateMetadata(tenantId: string, collectionName: string, ids: string[], metadata: Metadata, mode: MetadataUpdateModeName): Promise<number> {
    const collection = await this.collections.getCollection(tenantId, collectionName);
    return this.repository.updateMetadata(collection, [...new Set(ids)], metadata, mode, this.limits.maxMetadataBytes);
  }

  async scroll(
    tenantId: string,
    request: { collection: string; filter: PointFilter; afterId: string | undefined; pageSize: number; withVectors: boolean },
  ): Promise<{ points: StoredPoint[]; nextPageToken: string }> {
    const collection = await this.collections.getCollection(tenantId, request.collection);
    const rows = await this.repository.scroll(collection, request.filter, request.afterId, request.pageSize, request.withVectors);
    const points = rows.slice(0, request.pageSize);
    const more = rows.length > request.pageSize;
    const next = more ? encodePageToken([points[points.length - 1]!.id], scrollFingerprint(request.collection, request.filter)) : '';
    return { points, nextPageToken: next };
  }
}
