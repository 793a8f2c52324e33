// SQL of content, posts and the metric data DeleteContent removes (metric records: ingest/ and query/ beside it).
import type { Db } from '../db/connect.js';
import { withDbErrors } from '../db/pg-errors.js';
import { withSession, withTransaction } from '../db/session.js';
import type { PlatformName } from '../domain/platform.js';
import { failedPrecondition, notFound } from '../errors.js';
import { FAMILIES } from './families.js';
import { lockTenantPosts } from './ingest/record-ingest.repository.js';
import type { Content, ContentInput, Post, PostInput } from './metrics.types.js';

interface ContentRow {
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

interface PostRow {
  post_id: string;
  content_id: string;
  platform: string;
  account: string;
  published_at: Date;
  time_zone: string;
  created_at: Date;
  updated_at: Date;
}

const CONTENT_COLUMNS =
  'content_id, duration_s, quality_score, aesthetic_score, caption_length_chars, cta_in_first_5s, hashtag_count, metadata, created_at, updated_at';
const POST_COLUMNS = 'post_id, content_id, platform, account, published_at, time_zone, created_at, updated_at';

function toContent(row: ContentRow): Content {
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toPost(row: PostRow): Post {
  return {
    postId: row.post_id,
    contentId: row.content_id,
    platform: row.platform as PlatformName,
    account: row.account,
    publishedAt: row.published_at,
    timeZone: row.time_zone,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// The ledger rows of the records of deleted posts ($3: their ids) and of engine-performance records about the content.
const DELETE_LEDGER_SQL = `delete from metric_records where tenant_id = $1 and record_id in (
  ${FAMILIES.filter((f) => f.postKeyed)
    .map((f) => `select record_id from ${f.table} where tenant_id = $1 and post_id = any($3::text[])`)
    .join('\n  union all ')}
  union all select record_id from engine_performance where tenant_id = $1 and content_id = $2)`;

/** Repository of content and posts. */
export class ContentRepository {
  constructor(private readonly db: Db) {}

  private query<Row>(what: string, sql: string, params: unknown[]): Promise<Row[]> {
    return withDbErrors(what, () => withSession(this.db, async (s) => (await s.query<Row>(sql, params)).rows));
  }

  /** Inserts or updates a content item; `created` is true when it did not exist. */
  async upsertContent(tenantId: string, c: ContentInput): Promise<{ content: Content; created: boolean }> {
    // NOTE: xmax = 0 only for a row this statement inserted (an updated row carries the updating transaction's id).
    const [row] = await this.query<ContentRow & { created: boolean }>(
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
    return { content: toContent(row), created: row.created };
  }

  /** Reads one content item, or undefined. */
  async findContent(tenantId: string, contentId: string): Promise<Content | undefined> {
    const rows = await this.query<ContentRow>(`content "${contentId}"`, `select ${CONTENT_COLUMNS} from content where tenant_id = $1 and content_id = $2`, [
      tenantId,
      contentId,
    ]);
    return rows[0] && toContent(rows[0]);
  }

  /** One page of content by content_id, after `afterId`. */
  async listContent(tenantId: string, afterId: string | undefined, limit: number): Promise<Content[]> {
    const rows = await this.query<ContentRow>(
      'content',
      `select ${CONTENT_COLUMNS} from content where tenant_id = $1 and ($2::text is null or content_id > $2) order by content_id limit $3`,
      [tenantId, afterId ?? null, limit],
    );
    return rows.map(toContent);
  }

  /** Inserts or updates a post; FAILED_PRECONDITION when its content is not registered. */
  async upsertPost(tenantId: string, p: PostInput): Promise<{ post: Post; created: boolean }> {
    const rows = await this.query<PostRow & { created: boolean }>(
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
    return { post: toPost(rows[0]), created: rows[0].created };
  }

  /** Reads one post, or undefined. */
  async findPost(tenantId: string, postId: string): Promise<Post | undefined> {
    const rows = await this.query<PostRow>(`post "${postId}"`, `select ${POST_COLUMNS} from posts where tenant_id = $1 and post_id = $2`, [tenantId, postId]);
    return rows[0] && toPost(rows[0]);
  }

  /** One page of posts by post_id, after `afterId`, optionally of one content and platform. */
  async listPosts(tenantId: string, filter: { contentId?: string; platform?: string }, afterId: string | undefined, limit: number): Promise<Post[]> {
    const rows = await this.query<PostRow>(
      'posts',
      `select ${POST_COLUMNS} from posts
     where tenant_id = $1 and ($2::text is null or content_id = $2) and ($3::text is null or platform = $3) and ($4::text is null or post_id > $4)
     order by post_id limit $5`,
      [tenantId, filter.contentId ?? null, filter.platform ?? null, afterId ?? null, limit],
    );
    return rows.map(toPost);
  }

  /**
   * Deletes a content item and the metric data derived from it, in one transaction: its posts and their records of
   * the post families, engine-performance records about it, and the ledger rows of all those records. Its embedding
   * points belong to the embedding area (see MetricsService.deleteContent). NOT_FOUND when it does not exist.
   */
  async deleteContent(tenantId: string, contentId: string): Promise<{ postsDeletedCount: number; recordsDeletedCount: number }> {
    return withDbErrors(`content "${contentId}"`, () =>
      withTransaction(this.db, async (s) => {
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
        await s.query('delete from content where tenant_id = $1 and content_id = $2', [tenantId, contentId]);
        return { postsDeletedCount: posts.rowCount, recordsDeletedCount: records.rowCount };
      }),
    );
  }
}
