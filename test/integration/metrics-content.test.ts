// Content, posts, DeleteContent and ListDailySnapshots over a real server.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import { MetricFamily, type Content, type Post } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { payloads, registerPosts } from '../helpers/metrics-fixtures.js';
import { BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const TENANT = 'default';

function content(contentId: string, extra: Partial<Content> = {}): Content {
  return {
    contentId,
    durationS: 42.5,
    features: { qualityScore: 0.8, aestheticScore: 0.6, captionLengthChars: 120, ctaInFirst5s: true, hashtagCount: 5 },
    metadata: { campaign: 'spring', tags: ['a', 'b'] },
    createTime: undefined,
    updateTime: undefined,
    ...extra,
  };
}

function post(postId: string, contentId: string, extra: Partial<Post> = {}): Post {
  return {
    postId,
    contentId,
    platform: Platform.PLATFORM_INSTAGRAM,
    account: 'satellite_7',
    publishTime: new Date('2026-03-01T18:30:00Z'),
    timeZone: 'Europe/Madrid',
    createTime: undefined,
    updateTime: undefined,
    ...extra,
  };
}

describe(`metrics content and posts (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.stop());

  const m = () => server.metrics;

  it('registers content (created, then updated), reads it back and answers NOT_FOUND for an unknown id', async () => {
    const id = uniq('c');
    const first = await call(m(), m().registerContent, { content: content(id) });
    expect(first.created).to.equal(true);
    expect(first.content).to.deep.include({ contentId: id, durationS: 42.5, metadata: { campaign: 'spring', tags: ['a', 'b'] } });
    expect(first.content!.features).to.deep.equal(content(id).features);
    const second = await call(m(), m().registerContent, { content: content(id, { durationS: 10 }) });
    expect(second.created).to.equal(false);
    expect(second.content!.createTime).to.deep.equal(first.content!.createTime);
    const got = await call(m(), m().getContent, { contentId: id });
    expect(got.content!.durationS).to.equal(10);
    await expectStatus(call(m(), m().getContent, { contentId: uniq('missing') }), status.NOT_FOUND);
  });

  it('refuses bad content, naming the field', async () => {
    const cases: Array<[Content | undefined, string]> = [
      [undefined, 'content'],
      [content(''), 'content.content_id'],
      [content('x'.repeat(257)), 'content.content_id'],
      [content('c', { durationS: 0 }), 'content.duration_s'],
      [
        content('c', { features: { qualityScore: 1.2, aestheticScore: 0, captionLengthChars: 0, ctaInFirst5s: false, hashtagCount: 0 } }),
        'content.features.quality_score',
      ],
      [content('c', { metadata: { big: 'x'.repeat(20_000) } }), 'content.metadata'],
    ];
    for (const [bad, field] of cases) {
      const err = await expectStatus(call(m(), m().registerContent, { content: bad }), status.INVALID_ARGUMENT);
      expect(err.metadata.get('field'), field).to.deep.equal([field]);
    }
  });

  it('registers posts (created, then updated), refuses a post of unknown content, and reads it back', async () => {
    const contentId = uniq('c');
    await call(m(), m().registerContent, { content: content(contentId) });
    const postId = uniq('p');
    await expectStatus(call(m(), m().registerPost, { post: post(postId, uniq('nocontent')) }), status.FAILED_PRECONDITION, /RegisterContent first/);
    const first = await call(m(), m().registerPost, { post: post(postId, contentId) });
    expect(first.created).to.equal(true);
    expect(first.post).to.deep.include({ postId, contentId, platform: Platform.PLATFORM_INSTAGRAM, account: 'satellite_7', timeZone: 'Europe/Madrid' });
    expect(first.post!.publishTime).to.deep.equal(new Date('2026-03-01T18:30:00Z'));
    const second = await call(m(), m().registerPost, { post: post(postId, contentId, { platform: Platform.PLATFORM_X, timeZone: '' }) });
    expect(second.created).to.equal(false);
    expect((await call(m(), m().getPost, { postId })).post).to.deep.include({ platform: Platform.PLATFORM_X, timeZone: 'UTC' });
    await expectStatus(call(m(), m().getPost, { postId: uniq('missing') }), status.NOT_FOUND);
  });

  it('refuses bad posts, naming the field', async () => {
    const cases: Array<[Post | undefined, string]> = [
      [undefined, 'post'],
      [post('', 'c'), 'post.post_id'],
      [post('p', ''), 'post.content_id'],
      [post('p', 'c', { platform: Platform.PLATFORM_UNSPECIFIED }), 'post.platform'],
      [post('p', 'c', { platform: 17 as Platform }), 'post.platform'],
      [post('p', 'c', { publishTime: undefined }), 'post.publish_time'],
      [post('p', 'c', { timeZone: 'Mars/Olympus' }), 'post.time_zone'],
    ];
    for (const [bad, field] of cases) {
      const err = await expectStatus(call(m(), m().registerPost, { post: bad }), status.INVALID_ARGUMENT);
      expect(err.metadata.get('field'), field).to.deep.equal([field]);
    }
  });

  it('pages through content and posts with every item exactly once, filtered by content and platform', async () => {
    const prefix = uniq('lst');
    const contentIds = Array.from({ length: 7 }, (_, i) => `${prefix}-c${i}`);
    for (const id of contentIds) await call(m(), m().registerContent, { content: content(id) });
    const listed: string[] = [];
    let pageToken = '';
    do {
      const page = await call(m(), m().listContent, { pageSize: 3, pageToken });
      listed.push(...page.contents.map((c) => c.contentId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(listed.filter((id) => id.startsWith(prefix))).to.deep.equal(contentIds);
    expect(new Set(listed).size).to.equal(listed.length);

    const postIds = Array.from({ length: 5 }, (_, i) => `${prefix}-p${i}`);
    for (const [i, id] of postIds.entries()) {
      await call(m(), m().registerPost, { post: post(id, contentIds[0], { platform: i % 2 ? Platform.PLATFORM_TIKTOK : Platform.PLATFORM_YOUTUBE }) });
    }
    const posts: string[] = [];
    pageToken = '';
    do {
      const page = await call(m(), m().listPosts, { contentId: contentIds[0], platform: 0, pageSize: 2, pageToken });
      posts.push(...page.posts.map((p) => p.postId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(posts).to.deep.equal(postIds);
    const tiktok = await call(m(), m().listPosts, { contentId: contentIds[0], platform: Platform.PLATFORM_TIKTOK, pageSize: 0, pageToken: '' });
    expect(tiktok.posts.map((p) => p.postId)).to.deep.equal([postIds[1], postIds[3]]);
    const firstPage = await call(m(), m().listPosts, { contentId: contentIds[0], platform: 0, pageSize: 2, pageToken: '' });
    await expectStatus(
      call(m(), m().listPosts, { contentId: '', platform: 0, pageSize: 2, pageToken: firstPage.nextPageToken }),
      status.INVALID_ARGUMENT,
      /other filters/,
    );
    await expectStatus(call(m(), m().listContent, { pageSize: 1001, pageToken: '' }), status.INVALID_ARGUMENT, /page_size/);
  });

  it('deletes a content item and everything derived from it, leaving other content alone', async () => {
    const prefix = uniq('del');
    const doomed = await registerPosts(server, `${prefix}a`, 2);
    const kept = await registerPosts(server, `${prefix}b`, 1);
    const t = new Date('2026-03-02T00:00:00Z');
    const recordsOf = (postId: string, contentId: string, tag: string) =>
      payloads(postId, contentId).map((payload, i) => ({ recordId: `${tag}-${i}`, observeTime: t, payload }));
    const records = [
      ...recordsOf(doomed.postIds[0], doomed.contentId, `${prefix}a0`),
      ...recordsOf(doomed.postIds[1], doomed.contentId, `${prefix}a1`),
      ...recordsOf(kept.postIds[0], kept.contentId, `${prefix}b0`),
    ];
    expect((await call(m(), m().recordMetrics, { records, allOrNothing: true })).acceptedCount).to.equal(18);

    // An embedding collection of the tenant, as the embedding area registers them (a table with content_id).
    const knex = server.running.db.knex;
    const table = `points_${prefix}`;
    await knex.raw(`create table ${table} (point_id text primary key, content_id text not null)`);
    await knex.raw(
      `insert into collections (tenant_id, name, embedding_type, dimension, distance, precision, hnsw_m, hnsw_ef_construction, hnsw_ef_search, table_name)
       values (?, ?, 'visual_clip', 4, 'cosine', 'float32', 16, 64, 40, ?)`,
      [TENANT, prefix, table],
    );
    await knex.raw(`insert into ${table} values ('x1', ?), ('x2', ?), ('y1', ?)`, [doomed.contentId, doomed.contentId, kept.contentId]);

    try {
      const deleted = await call(m(), m().deleteContent, { contentId: doomed.contentId });
      // 2 posts × 3 post-family records + 2 engine records about the content; satellite and meta records are not derived from it.
      expect(deleted).to.deep.equal({ postsDeletedCount: 2, recordsDeletedCount: 8, pointsDeletedCount: 2 });
      await expectStatus(call(m(), m().getContent, { contentId: doomed.contentId }), status.NOT_FOUND);
      await expectStatus(call(m(), m().getPost, { postId: doomed.postIds[0] }), status.NOT_FOUND);
      const ledger = await knex.raw(`select record_id from metric_records where tenant_id = ? and record_id like ? order by record_id`, [TENANT, `${prefix}%`]);
      expect(ledger.rows.map((r: { record_id: string }) => r.record_id)).to.deep.equal([
        `${prefix}a0-4`,
        `${prefix}a0-5`,
        `${prefix}a1-4`,
        `${prefix}a1-5`,
        ...[0, 1, 2, 3, 4, 5].map((i) => `${prefix}b0-${i}`),
      ]);
      const points = await knex.raw(`select point_id from ${table} order by point_id`);
      expect(points.rows.map((r: { point_id: string }) => r.point_id)).to.deep.equal(['y1']);
      const left = await call(m(), m().queryMetrics, {
        family: MetricFamily.METRIC_FAMILY_RETENTION,
        postIds: [...doomed.postIds, ...kept.postIds],
        contentIds: [],
        platform: 0,
        startTime: undefined,
        endTime: undefined,
        latestOnly: false,
        pageSize: 0,
        pageToken: '',
      });
      expect(left.records.map((r) => r.recordId)).to.deep.equal([`${prefix}b0-0`]);
      // The ids of deleted records are free again.
      expect((await call(m(), m().recordMetrics, { records: records.slice(0, 1), allOrNothing: false })).rejected[0].field).to.equal('retention.post_id');
      await expectStatus(call(m(), m().deleteContent, { contentId: doomed.contentId }), status.NOT_FOUND);
    } finally {
      await knex.raw('delete from collections where tenant_id = ? and name = ?', [TENANT, prefix]);
      await knex.raw(`drop table ${table}`);
    }
  });

  it('lists daily snapshots of a day range, by day then platform, and refuses bad ranges', async () => {
    const knex = server.running.db.knex;
    const year = 1990 + Math.floor(Math.random() * 30);
    const day = (d: number) => `${year}-05-${String(d).padStart(2, '0')}`;
    // The learning run writes camelCase keys (src/learning); snake_case is read too.
    const top = [{ postId: 'p1', contentId: 'c1', platform: 'tiktok', views: 900, engagementRate: 0.1, completionRate: 0.3 }];
    const snakeTop = [{ post_id: 'p2', content_id: 'c2', platform: 'youtube', views: 5, engagement_rate: 0, completion_rate: 1 }];
    for (const [d, platform] of [
      [1, 'youtube'],
      [1, 'tiktok'],
      [2, 'tiktok'],
      [9, 'tiktok'],
    ] as const) {
      await knex.raw(
        `insert into daily_snapshots (tenant_id, day, platform, posts_count, views, average_retention, completion_rate, engagement_rate, saves_rate, shares_rate, first_3s_loss, top_performers)
         values (?, ?, ?, 3, 1000, 0.5, 0.25, 0.125, 0.01, 0.02, 0.3, ?::jsonb) on conflict do nothing`,
        [TENANT, day(d), platform, JSON.stringify(platform === 'youtube' ? snakeTop : top)],
      );
    }
    const list = (startDay: string, endDay: string, platform = 0) => call(m(), m().listDailySnapshots, { startDay, endDay, platform });
    const all = await list(day(1), day(8));
    expect(all.snapshots.map((s) => [s.day, s.platform])).to.deep.equal([
      [day(1), Platform.PLATFORM_TIKTOK],
      [day(1), Platform.PLATFORM_YOUTUBE],
      [day(2), Platform.PLATFORM_TIKTOK],
    ]);
    expect(all.snapshots[0]).to.deep.include({ postsCount: 3, views: 1000, averageRetention: 0.5, first3sLoss: 0.3 });
    expect(all.snapshots[0].topPerformers).to.deep.equal([
      { postId: 'p1', contentId: 'c1', platform: Platform.PLATFORM_TIKTOK, views: 900, engagementRate: 0.1, completionRate: 0.3 },
    ]);
    const youtube = (await list(day(1), day(9), Platform.PLATFORM_YOUTUBE)).snapshots;
    expect(youtube.map((s) => s.topPerformers)).to.deep.equal([
      [{ postId: 'p2', contentId: 'c2', platform: Platform.PLATFORM_YOUTUBE, views: 5, engagementRate: 0, completionRate: 1 }],
    ]);
    for (const [startDay, endDay, field] of [
      ['2026-13-01', '2026-13-02', 'start_day'],
      ['2026-02-01', '2026-02-30', 'end_day'],
      ['2026-02-02', '2026-02-01', 'end_day'],
      ['2025-01-01', '2026-01-03', 'end_day'],
    ]) {
      const err = await expectStatus(list(startDay, endDay), status.INVALID_ARGUMENT);
      expect(err.metadata.get('field')).to.deep.equal([field]);
    }
  });
});
