// Content, posts, reads of metric records and daily snapshots (writes of records: ingest/record-ingest.service.ts). Holds no
// database: its repositories and the ports to the embedding and learning areas are injected (src/app.ts).
import { AppError, notFound } from '../errors.js';
import type { MetricQueryRepository } from './query/record-query.repository.js';
import type { ContentRepository } from './content.repository.js';
import type {
  Content,
  ContentInput,
  ContentPointsDeleter,
  DailySnapshot,
  DeletedCounts,
  MetricFilter,
  MetricPageKey,
  MetricRecord,
  Post,
  PostInput,
  SnapshotReader,
} from './metrics.types.js';
import { decodePageToken, encodePageToken, queryFingerprint } from '../domain/paging.js';

/** Records per message of ExportMetrics (and per page query behind it). */
export const EXPORT_CHUNK_RECORDS = 1000;

/** What a page token of QueryMetrics is bound to. */
function filterFingerprint(filter: MetricFilter): string {
  return queryFingerprint([
    filter.spec.name,
    filter.postIds,
    filter.contentIds,
    filter.platform ?? null,
    filter.startTime?.getTime() ?? null,
    filter.endTime?.getTime() ?? null,
    filter.latestOnly,
  ]);
}

function pageKeyFromToken(token: string, fingerprint: string): MetricPageKey | undefined {
  const key = decodePageToken(token, fingerprint, 2);
  if (!key) return undefined;
  const [observedUs, recordId] = key;
  if (typeof observedUs !== 'number' || !Number.isSafeInteger(observedUs) || typeof recordId !== 'string') {
    throw new AppError('invalid_argument', 'page_token is malformed; pass the next_page_token of the previous page unchanged', 'page_token');
  }
  return { observedUs, recordId };
}

/** The next page token for a page of `limit` read as `limit + 1` items; empty on the last page. */
function nextToken<Item>(items: Item[], limit: number, keyOf: (item: Item) => unknown[], fingerprint: string): string {
  return items.length > limit ? encodePageToken(keyOf(items[limit - 1]), fingerprint) : '';
}

/** One page of items keyed by a text id: read `pageSize + 1` items after the token's id to know if more follow. */
async function idPage<Item>(
  pageToken: string,
  pageSize: number,
  fingerprint: string,
  read: (afterId: string | undefined, limit: number) => Promise<Item[]>,
  idOf: (item: Item) => string,
): Promise<{ items: Item[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, fingerprint, 1)?.[0];
  const items = await read(after === undefined ? undefined : String(after), pageSize + 1);
  return { items: items.slice(0, pageSize), nextPageToken: nextToken(items, pageSize, (item) => [idOf(item)], fingerprint) };
}

export class MetricsService {
  constructor(
    private readonly repository: ContentRepository,
    private readonly records: MetricQueryRepository,
    private readonly points: ContentPointsDeleter,
    private readonly snapshots: SnapshotReader,
  ) {}

  registerContent(tenantId: string, content: ContentInput): Promise<{ content: Content; created: boolean }> {
    return this.repository.upsertContent(tenantId, content);
  }

  async getContent(tenantId: string, contentId: string): Promise<Content> {
    const content = await this.repository.findContent(tenantId, contentId);
    if (!content) throw notFound(`content "${contentId}" does not exist`);
    return content;
  }

  async listContent(tenantId: string, pageSize: number, pageToken: string): Promise<{ contents: Content[]; nextPageToken: string }> {
    const read = (afterId: string | undefined, limit: number) => this.repository.listContent(tenantId, afterId, limit);
    const { items, nextPageToken } = await idPage(pageToken, pageSize, queryFingerprint(['content']), read, (c) => c.contentId);
    return { contents: items, nextPageToken };
  }

  /**
   * Deletes a content item, the metric data derived from it and, through the embedding area, its points in every
   * collection of the tenant. NOT_FOUND when it does not exist.
   * NOTE: two transactions, one per area that owns the tables, so not atomic as a whole. The points go first: if
   * the second step fails, the content and all its metric data are still there (never metric data without its
   * content) and calling DeleteContent again finishes the job; the other order could leave points of a content
   * that no longer exists, which DeleteContent could then not reach (NOT_FOUND). A point upserted for the content
   * between the two steps survives, as it would if upserted just after the call.
   */
  async deleteContent(tenantId: string, contentId: string): Promise<DeletedCounts> {
    await this.getContent(tenantId, contentId);
    const pointsDeletedCount = await this.points.deleteContentPoints(tenantId, contentId);
    const metricData = await this.repository.deleteContent(tenantId, contentId);
    return { ...metricData, pointsDeletedCount };
  }

  registerPost(tenantId: string, post: PostInput): Promise<{ post: Post; created: boolean }> {
    return this.repository.upsertPost(tenantId, post);
  }

  async getPost(tenantId: string, postId: string): Promise<Post> {
    const post = await this.repository.findPost(tenantId, postId);
    if (!post) throw notFound(`post "${postId}" does not exist`);
    return post;
  }

  async listPosts(
    tenantId: string,
    request: { contentId?: string; platform?: string; pageSize: number; pageToken: string },
  ): Promise<{ posts: Post[]; nextPageToken: string }> {
    const fingerprint = queryFingerprint(['posts', request.contentId ?? null, request.platform ?? null]);
    const read = (afterId: string | undefined, limit: number) => this.repository.listPosts(tenantId, request, afterId, limit);
    const { items, nextPageToken } = await idPage(request.pageToken, request.pageSize, fingerprint, read, (p) => p.postId);
    return { posts: items, nextPageToken };
  }

  /** One page of records by (observe_time, record_id); the token is bound to the filters. */
  async queryMetrics(tenantId: string, filter: MetricFilter, pageSize: number, pageToken: string): Promise<{ records: MetricRecord[]; nextPageToken: string }> {
    const fingerprint = filterFingerprint(filter);
    const page = await this.records.page(tenantId, filter, pageKeyFromToken(pageToken, fingerprint), pageSize + 1);
    return {
      records: page.slice(0, pageSize).map((r) => r.record),
      nextPageToken: nextToken(page, pageSize, (r) => [r.key.observedUs, r.key.recordId], fingerprint),
    };
  }

  /**
   * Sends every record of the filter in chunks of EXPORT_CHUNK_RECORDS, one keyset query per chunk, so memory
   * stays bounded; `send` waits while the client is not reading.
   */
  async exportMetrics(tenantId: string, filter: MetricFilter, send: (records: MetricRecord[]) => Promise<void>, signal: AbortSignal): Promise<void> {
    let after: MetricPageKey | undefined;
    for (;;) {
      if (signal.aborted) throw new AppError('cancelled', 'the export was cancelled');
      const page = await this.records.page(tenantId, filter, after, EXPORT_CHUNK_RECORDS);
      if (page.length === 0) return;
      await send(page.map((r) => r.record));
      if (page.length < EXPORT_CHUNK_RECORDS) return;
      after = page[page.length - 1].key;
    }
  }

  /** How many records `exportMetrics` would send for the filter (read before it: a total for progress). */
  countMetrics(tenantId: string, filter: MetricFilter): Promise<number> {
    return this.records.count(tenantId, filter);
  }

  /** Daily snapshots of a day range (inclusive), by day then platform, as the learning area built them. */
  listDailySnapshots(tenantId: string, request: { startDay: string; endDay: string; platform?: string }): Promise<DailySnapshot[]> {
    return this.snapshots.listSnapshots(tenantId, request.startDay, request.endDay, request.platform);
  }
}
