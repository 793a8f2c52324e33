// SQL of content, posts, DeleteContent and daily snapshots (metric records live in metric-*.repository.ts).
import type { Db } from '../db/connect.js';
import { withDbErrors } from '../db/pg-errors.js';
import { withSession, withTransaction, type Session } from '../db/session.js';
import { failedPrecondition, notFound } from '../errors.js';
import { FAMILIES } from './families.js';
import { lockTenantPosts } from './metric-ingest.repository.js';
import type { ContentInput, PostInput } from './metrics.validate.js';

/** A content row as stored. */
export interface ContentRow {
  content_id: string;
  duration_s: number;
  quality_score: number;
  aesthetic_score: number;
  caption_length_chars: number;
  cta_in_first_5s: boolean;
  hashtag_count: number;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** A post row as stored. */
export interface PostRow {
  post_id: string;
  content_id: string;
  platform: string;
  account: string;
  published_at: Date;
  time_zone: string;
  created_at: Date;
  updated_at: Date;
}

/** A daily snapshot row as stored (day as YYYY-MM-DD). */
export interface SnapshotRow {
  day: string;
  platform: string;
  posts_count: number;
  views: number;
  average_retention: number;
  completion_rate: number;
  engagement_rate: number;
  saves_rate: number;
  shares_rate: number;
  first_3s_loss: number;
  top_performers: unknown;
  built_at: Date;
}

/** What DeleteContent removed. */
export interface DeletedCounts {
  postsDeletedCount: number;
  recordsDeletedCount: number;
  pointsDeletedCount: number;
}

const CONTENT_COLUMNS =
  'content_id, duration_s, quality_score, aesthetic_score, caption_length_chars, cta_in_first_5s, hashtag_count, metadata, created_at, updated_at';
const POST_COLUMNS = 'post_id, content_id, platform, account, published_at, time_zone, created_at, updated_at';

async function query<Row>(db: Db, what: string, sql: string, params: unknown[]): Promise<Row[]> {
  return withDbErrors(what, () => withSession(db, async (s) => (await s.query<Row>(sql, params)).rows));
}

/** Inserts or updates a content item; `created` is true when it did not exist. */
export async function upsertContent(db: Db, tenantId: string, c: ContentInput): Promise<{ row: ContentRow; created: boolean }> {
  // NOTE: xmax = 0 only for a row this statement inserted (an updated row carries the updating transaction's id).
  const [row] = await query<ContentRow & { created: boolean }>(
    db,
    `content "${c.contentId}"`,
    `insert into content (tenant_id, content_id, duration_s, quality_score, aesthetic_score, caption_length_chars, cta_in_first_5s, hashtag_count, metadata)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
     on conflict (tenant_id, content_id) do update set
       duration_s = excluded.duration_s, quality_score = excluded.quality_score, aesthetic_score = excluded.aesthetic_score,
       caption_length_chars = excluded.caption_length_chars, cta_in_first_5s = excluded.cta_in_first_5s,
       hashtag_count = excluded.hashtag_count, metadata = excluded.metadata, updated_at = now()
     returning ${CONTENT_COLUMNS}, (xmax = 0) as created`,
    [tenantId, c.contentId, c.durationS, c.qualityScore, c.aestheticScore, c.captionLengthChars, c.ctaInFirst5s, c.hashtagCount, JSON.stringify(c.metadata)],
  );
  return { row, created: row.created };
}

/** Reads one content item, or undefined. */
export async function findContent(db: Db, tenantId: string, contentId: string): Promise<ContentRow | undefined> {
  const rows = await query<ContentRow>(db, `content "${contentId}"`, `select ${CONTENT_COLUMNS} from content where tenant_id = $1 and content_id = $2`, [
    tenantId,
    contentId,
  ]);
  return rows[0];
}

/** One page of content by content_id, after `afterId`. */
export async function listContent(db: Db, tenantId: string, afterId: string | undefined, limit: number): Promise<ContentRow[]> {
  return query<ContentRow>(
    db,
    'content',
    `select ${CONTENT_COLUMNS} from content where tenant_id = $1 and ($2::text is null or content_id > $2) order by content_id limit $3`,
    [tenantId, afterId ?? null, limit],
  );
}

/** Inserts or updates a post; FAILED_PRECONDITION when its content is not registered. */
export async function upsertPost(db: Db, tenantId: string, p: PostInput): Promise<{ row: PostRow; created: boolean }> {
  const rows = await query<PostRow & { created: boolean }>(
    db,
    `post "${p.postId}"`,
    `insert into posts (tenant_id, post_id, content_id, platform, account, published_at, time_zone)
     select $1, $2, $3, $4, $5, $6, $7 where exists (select 1 from content where tenant_id = $1 and content_id = $3)
     on conflict (tenant_id, post_id) do update set
       content_id = excluded.content_id, platform = excluded.platform, account = excluded.account,
       published_at = excluded.published_at, time_zone = excluded.time_zone, updated_at = now()
     returning ${POST_COLUMNS}, (xmax = 0) as created`,
    [tenantId, p.postId, p.contentId, p.platform, p.account, p.publishedAt, p.timeZone],
  );
  if (rows.length === 0) throw failedPrecondition(`post.content_id "${p.contentId}" is not registered; call RegisterContent first`);
  return { row: rows[0], created: rows[0].created };
}

/** Reads one post, or undefined. */
export async function findPost(db: Db, tenantId: string, postId: string): Promise<PostRow | undefined> {
  const rows = await query<PostRow>(db, `post "${postId}"`, `select ${POST_COLUMNS} from posts where tenant_id = $1 and post_id = $2`, [tenantId, postId]);
  return rows[0];
}

/** One page of posts by post_id, after `afterId`, optionally of one content and platform. */
export async function listPosts(
  db: Db,
  tenantId: string,
  filter: { contentId?: string; platform?: string },
  afterId: string | undefined,
  limit: number,
): Promise<PostRow[]> {
  return query<PostRow>(
    db,
    'posts',
    `select ${POST_COLUMNS} from posts
     where tenant_id = $1 and ($2::text is null or content_id = $2) and ($3::text is null or platform = $3) and ($4::text is null or post_id > $4)
     order by post_id limit $5`,
    [tenantId, filter.contentId ?? null, filter.platform ?? null, afterId ?? null, limit],
  );
}

/** Quotes an identifier read from the collections registry. */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function deleteEmbeddingPoints(s: Session, tenantId: string, contentId: string): Promise<number> {
  // NOTE: FOR SHARE, so a DeleteCollection running at the same time (delete its row, drop its table) either waits
  // for this transaction or, having committed first, is skipped here; without it the table could vanish between
  // this list and the delete (INTERNAL "relation does not exist", found by the reliability fuzz test).
  const { rows } = await s.query<{ table_name: string }>('select table_name from collections where tenant_id = $1 order by table_name for share', [tenantId]);
  let deleted = 0;
  for (const { table_name } of rows) {
    deleted += (await s.query(`delete from ${quoteIdentifier(table_name)} where content_id = $1`, [contentId])).rowCount;
  }
  return deleted;
}

// The ledger rows of the records of deleted posts ($3: their ids) and of engine-performance records about the content.
const DELETE_LEDGER_SQL = `delete from metric_records where tenant_id = $1 and record_id in (
  ${FAMILIES.filter((f) => f.postKeyed)
    .map((f) => `select record_id from ${f.table} where tenant_id = $1 and post_id = any($3::text[])`)
    .join('\n  union all ')}
  union all select record_id from engine_performance where tenant_id = $1 and content_id = $2)`;

/**
 * Deletes a content item and everything derived from it, in one transaction: its posts and their records of the
 * post families, engine-performance records about it, the ledger rows of all those records, and its embedding
 * points in every collection of the tenant. NOT_FOUND when it does not exist.
 */
export async function deleteContent(db: Db, tenantId: string, contentId: string): Promise<DeletedCounts> {
  return withDbErrors(`content "${contentId}"`, () =>
    withTransaction(db, async (s) => {
      const found = await s.query('select 1 from content where tenant_id = $1 and content_id = $2 for update', [tenantId, contentId]);
      if (found.rows.length === 0) throw notFound(`content "${contentId}" does not exist`);
      // NOTE: family rows have no foreign key to posts (migration 20261126000001): the exclusive posts lock waits for
      // stream chunks that checked these posts, deleting the posts waits for single-record writes holding a key-share
      // lock on them, and only then are the family rows (and their ledger rows) deleted, by later statements that
      // see what those writes committed.
      await lockTenantPosts(s, tenantId, 'exclusive');
      const posts = await s.query<{ post_id: string }>('delete from posts where tenant_id = $1 and content_id = $2 returning post_id', [tenantId, contentId]);
      const postIds = posts.rows.map((r) => r.post_id);
      const records = await s.query(DELETE_LEDGER_SQL, [tenantId, contentId, postIds]);
      for (const family of FAMILIES.filter((f) => f.postKeyed)) {
        await s.query(`delete from ${family.table} where tenant_id = $1 and post_id = any($2::text[])`, [tenantId, postIds]);
      }
      await s.query('delete from engine_performance where tenant_id = $1 and content_id = $2', [tenantId, contentId]);
      const points = await deleteEmbeddingPoints(s, tenantId, contentId);
      await s.query('delete from content where tenant_id = $1 and content_id = $2', [tenantId, contentId]);
      return { postsDeletedCount: posts.rowCount, recordsDeletedCount: records.rowCount, pointsDeletedCount: points };
    }),
  );
}

/** Daily snapshots of a day range (inclusive), by day then platform. */
export async function listDailySnapshots(db: Db, tenantId: string, startDay: string, endDay: string, platform: string | undefined): Promise<SnapshotRow[]> {
  return query<SnapshotRow>(
    db,
    'daily snapshots',
    `select to_char(day, 'YYYY-MM-DD') as day, platform, posts_count, views, average_retention, completion_rate, engagement_rate,
            saves_rate, shares_rate, first_3s_loss, top_performers, built_at
     from daily_snapshots
     where tenant_id = $1 and day between $2::date and $3::date and ($4::text is null or platform = $4)
     order by day, platform`,
    [tenantId, startDay, endDay, platform ?? null],
  );
}
