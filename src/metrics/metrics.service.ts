// Content, posts, reads of metric records and daily snapshots (writes of records: ingest.service.ts).
import type { Db } from '../db/connect.js';
import { AppError, notFound } from '../errors.js';
import { payloadFromRow } from './families.js';
import { queryMetricRows, type MetricPageKey, type MetricRow } from './metric-query.repository.js';
import * as repo from './metrics.repository.js';
import type { Content, DailySnapshot, MetricRecord, Post, TopPerformer } from './metrics.types.js';
import type { ContentInput, MetricFilter, PostInput } from './metrics.validate.js';
import { decodePageToken, encodePageToken, queryFingerprint } from '../domain/paging.js';
import { platformNumber } from '../domain/platform.js';

/** Records per message of ExportMetrics (and per page query behind it). */
export const EXPORT_CHUNK_RECORDS = 1000;

function contentFromRow(row: repo.ContentRow): Content {
  return {
    contentId: row.content_id,
    durationS: Number(row.duration_s),
    features: {
      qualityScore: Number(row.quality_score),
      aestheticScore: Number(row.aesthetic_score),
      captionLengthChars: Number(row.caption_length_chars),
      ctaInFirst5s: row.cta_in_first_5s,
      hashtagCount: Number(row.hashtag_count),
    },
    metadata: row.metadata,
    createTime: row.created_at,
    updateTime: row.updated_at,
  };
}

function postFromRow(row: repo.PostRow): Post {
  return {
    postId: row.post_id,
    contentId: row.content_id,
    platform: platformNumber(row.platform),
    account: row.account,
    publishTime: row.published_at,
    timeZone: row.time_zone,
    createTime: row.created_at,
    updateTime: row.updated_at,
  };
}

/** Reads a top performer written by the learning run (snake_case or camelCase keys). */
function topPerformerFromJson(raw: Record<string, unknown>): TopPerformer {
  const pick = (snake: string, camel: string) => raw[snake] ?? raw[camel];
  const platform = pick('platform', 'platform');
  return {
    postId: String(pick('post_id', 'postId') ?? ''),
    contentId: String(pick('content_id', 'contentId') ?? ''),
    platform: typeof platform === 'number' ? platform : platformNumber(String(platform ?? '')),
    views: Number(pick('views', 'views') ?? 0),
    engagementRate: Number(pick('engagement_rate', 'engagementRate') ?? 0),
    completionRate: Number(pick('completion_rate', 'completionRate') ?? 0),
  };
}

function snapshotFromRow(row: repo.SnapshotRow): DailySnapshot {
  return {
    day: row.day,
    platform: platformNumber(row.platform),
    postsCount: Number(row.posts_count),
    views: Number(row.views),
    averageRetention: Number(row.average_retention),
    completionRate: Number(row.completion_rate),
    engagementRate: Number(row.engagement_rate),
    savesRate: Number(row.saves_rate),
    sharesRate: Number(row.shares_rate),
    first3sLoss: Number(row.first_3s_loss),
    topPerformers: Array.isArray(row.top_performers) ? row.top_performers.map((t) => topPerformerFromJson(t as Record<string, unknown>)) : [],
    buildTime: row.built_at,
  };
}

function recordFromRow(filter: MetricFilter, row: MetricRow): MetricRecord {
  return { recordId: row.record_id, observeTime: row.observed_at, payload: payloadFromRow(filter.spec, row) };
}

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

/** The next page token for a page of `limit` read as `limit + 1` rows; empty on the last page. */
function nextToken<Row>(rows: Row[], limit: number, keyOf: (row: Row) => unknown[], fingerprint: string): string {
  return rows.length > limit ? encodePageToken(keyOf(rows[limit - 1]), fingerprint) : '';
}

/** One page of rows keyed by a text id: read `pageSize + 1` rows after the token's id to know if more follow. */
async function idPage<Row, Item>(
  pageToken: string,
  pageSize: number,
  fingerprint: string,
  read: (afterId: string | undefined, limit: number) => Promise<Row[]>,
  idOf: (row: Row) => string,
  toItem: (row: Row) => Item,
): Promise<{ items: Item[]; nextPageToken: string }> {
  const after = decodePageToken(pageToken, fingerprint, 1)?.[0];
  const rows = await read(after === undefined ? undefined : String(after), pageSize + 1);
  return { items: rows.slice(0, pageSize).map(toItem), nextPageToken: nextToken(rows, pageSize, (r) => [idOf(r)], fingerprint) };
}

export class MetricsService {
  constructor(private readonly db: Db) {}

  async registerContent(tenantId: string, content: ContentInput): Promise<{ content: Content; created: boolean }> {
    const { row, created } = await repo.upsertContent(this.db, tenantId, content);
    return { content: contentFromRow(row), created };
  }

  async getContent(tenantId: string, contentId: string): Promise<Content> {
    const row = await repo.findContent(this.db, tenantId, contentId);
    if (!row) throw notFound(`content "${contentId}" does not exist`);
    return contentFromRow(row);
  }

  async listContent(tenantId: string, pageSize: number, pageToken: string): Promise<{ contents: Content[]; nextPageToken: string }> {
    const read = (afterId: string | undefined, limit: number) => repo.listContent(this.db, tenantId, afterId, limit);
    const { items, nextPageToken } = await idPage(pageToken, pageSize, queryFingerprint(['content']), read, (r) => r.content_id, contentFromRow);
    return { contents: items, nextPageToken };
  }

  async deleteContent(tenantId: string, contentId: string): Promise<repo.DeletedCounts> {
    return repo.deleteContent(this.db, tenantId, contentId);
  }

  async registerPost(tenantId: string, post: PostInput): Promise<{ post: Post; created: boolean }> {
    const { row, created } = await repo.upsertPost(this.db, tenantId, post);
    return { post: postFromRow(row), created };
  }

  async getPost(tenantId: string, postId: string): Promise<Post> {
    const row = await repo.findPost(this.db, tenantId, postId);
    if (!row) throw notFound(`post "${postId}" does not exist`);
    return postFromRow(row);
  }

  async listPosts(
    tenantId: string,
    request: { contentId?: string; platform?: string; pageSize: number; pageToken: string },
  ): Promise<{ posts: Post[]; nextPageToken: string }> {
    const fingerprint = queryFingerprint(['posts', request.contentId ?? null, request.platform ?? null]);
    const read = (afterId: string | undefined, limit: number) => repo.listPosts(this.db, tenantId, request, afterId, limit);
    const { items, nextPageToken } = await idPage(request.pageToken, request.pageSize, fingerprint, read, (r) => r.post_id, postFromRow);
    return { posts: items, nextPageToken };
  }

  /** One page of records by (observe_time, record_id); the token is bound to the filters. */
  async queryMetrics(tenantId: string, filter: MetricFilter, pageSize: number, pageToken: string): Promise<{ records: MetricRecord[]; nextPageToken: string }> {
    const fingerprint = filterFingerprint(filter);
    const rows = await queryMetricRows(this.db, tenantId, filter, pageKeyFromToken(pageToken, fingerprint), pageSize + 1);
    return {
      records: rows.slice(0, pageSize).map((row) => recordFromRow(filter, row)),
      nextPageToken: nextToken(rows, pageSize, (r) => [Number(r.observed_us), r.record_id], fingerprint),
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
      const rows = await queryMetricRows(this.db, tenantId, filter, after, EXPORT_CHUNK_RECORDS);
      if (rows.length === 0) return;
      await send(rows.map((row) => recordFromRow(filter, row)));
      if (rows.length < EXPORT_CHUNK_RECORDS) return;
      const last = rows[rows.length - 1];
      after = { observedUs: Number(last.observed_us), recordId: last.record_id };
    }
  }

  async listDailySnapshots(tenantId: string, request: { startDay: string; endDay: string; platform?: string }): Promise<DailySnapshot[]> {
    const rows = await repo.listDailySnapshots(this.db, tenantId, request.startDay, request.endDay, request.platform);
    return rows.map(snapshotFromRow);
  }
}
