// Tenancy: bearer tokens map to tenants, and tenant B can reach none of tenant A's data through any RPC.
import { Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import { EmbeddingServiceService, SearchContentRequest, type Point } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { LearningServiceService, TimingMetric } from '../../src/gen/stakazo/ml/v1/learning.js';
import { MetricFamily, MetricsServiceService, type MetricRecord } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { collectionSpec, recommendRequest } from '../helpers/embedding.js';
import { retentionCurve } from '../helpers/metrics-fixtures.js';
import { bearer, BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const DAY = '2025-01-15';

function clientStream<Req, Res>(
  client: Client,
  method: (md: Metadata, cb: (e: ServiceError | null, r: Res) => void) => { write(m: Req): boolean; end(): void },
  md: Metadata,
  messages: Req[],
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const stream = method.call(client, md, (err, res) => (err ? reject(err) : resolve(res)));
    for (const m of messages) stream.write(m);
    stream.end();
  });
}

function serverStream<Req, Res>(client: Client, method: (req: Req, md: Metadata) => NodeJS.ReadableStream, request: Req, md: Metadata): Promise<Res[]> {
  return new Promise((resolve, reject) => {
    const out: Res[] = [];
    const stream = method.call(client, request, md);
    stream.on('data', (m: Res) => out.push(m));
    stream.on('error', reject);
    stream.on('end', () => resolve(out));
  });
}

const point = (id: string): Point => ({
  id,
  contentId: 'c1',
  vector: { values: [1, 0.5, 0.25], float32Le: Buffer.alloc(0) },
  metadata: { owner: 'a' },
  createTime: undefined,
  updateTime: undefined,
});
const records = (prefix: string): MetricRecord[] => [
  {
    recordId: `${prefix}-ret`,
    observeTime: new Date(`${DAY}T10:00:00Z`),
    payload: {
      $case: 'retention',
      value: {
        postId: 'p1',
        views: 1000,
        averageViewDurationS: 9,
        completionRate: 0.3,
        rewatchRate: 0.1,
        skipRateFirst3s: 0.2,
        retentionCurve: retentionCurve(),
      },
    },
  },
  {
    recordId: `${prefix}-eng`,
    observeTime: new Date(`${DAY}T10:00:00Z`),
    payload: { $case: 'engagement', value: { postId: 'p1', likes: 50, comments: 5, shares: 5, saves: 5, follows: 1, reach: 900, impressions: 1200 } },
  },
];

describe(`tenancy (${BACKEND})`, () => {
  let server: TestServer;
  let repo: TenancyRepository;
  let a: Metadata;
  let b: Metadata;
  const tenantA = uniq('ta');
  const tenantB = uniq('tb');
  const walked = new Set<string>();

  before(async () => {
    server = await startTestServer({ AUTH_CACHE_MS: '0' });
    repo = new TenancyRepository(server.running.db);
    a = bearer((await new TenancyService(repo).createToken(tenantA, 'test')).token);
    b = bearer((await new TenancyService(repo).createToken(tenantB, 'test')).token);

    // Tenant A's world: a collection with points, content, a post, metrics, a learned day.
    const e = server.embedding;
    await call(e, e.createCollection, { collection: collectionSpec({ name: 'iso' }) }, a);
    await call(e, e.upsert, { collection: 'iso', points: [point('x1'), point('x2')] }, a);
    await call(e, e.createAlias, { alias: 'iso-alias', collection: 'iso' }, a);
    const m = server.metrics;
    await call(
      m,
      m.registerContent,
      { content: { contentId: 'c1', durationS: 30, features: undefined, metadata: undefined, createTime: undefined, updateTime: undefined } },
      a,
    );
    await call(
      m,
      m.registerPost,
      {
        post: {
          postId: 'p1',
          contentId: 'c1',
          platform: Platform.PLATFORM_TIKTOK,
          account: 'acc',
          publishTime: new Date(`${DAY}T08:00:00Z`),
          timeZone: 'UTC',
          createTime: undefined,
          updateTime: undefined,
        },
      },
      a,
    );
    const recorded = await call(m, m.recordMetrics, { records: records('a'), allOrNothing: true }, a);
    expect(recorded.acceptedCount).to.equal(2);
    const run = await call(server.learning, server.learning.runDailyLearning, { day: DAY, force: false }, a);
    expect(run.report!.postsAnalysed).to.equal(1);
  });

  after(async () => {
    if (repo) {
      await repo.deleteTokensOf(tenantA);
      await repo.deleteTokensOf(tenantB);
    }
    await server?.stop();
  });

  it('refuses calls without a token, with a malformed one and with an unknown or revoked one', async () => {
    const e = server.embedding;
    await expectStatus(call(e, e.listCollections, { embeddingType: 0 }), status.UNAUTHENTICATED, /missing "authorization: Bearer <token>"/);
    const malformed = new Metadata();
    malformed.set('authorization', 'Basic abc');
    await expectStatus(call(e, e.listCollections, { embeddingType: 0 }, malformed), status.UNAUTHENTICATED, /must be "Bearer <token>"/);
    await expectStatus(call(e, e.listCollections, { embeddingType: 0 }, bearer('stk_nope')), status.UNAUTHENTICATED, /unknown or revoked/);
    const { token } = await new TenancyService(repo).createToken(tenantA, 'short-lived');
    await call(e, e.listCollections, { embeddingType: 0 }, bearer(token));
    await new TenancyService(repo).revokeToken(token);
    await expectStatus(call(e, e.listCollections, { embeddingType: 0 }, bearer(token)), status.UNAUTHENTICATED, /unknown or revoked/);
  });

  it("EmbeddingService: tenant B sees, changes and deletes none of tenant A's collections or points", async () => {
    const e = server.embedding;
    const notFound = async (name: string, p: Promise<unknown>) => {
      walked.add(name);
      await expectStatus(p, status.NOT_FOUND, /collection "iso"/);
    };
    await notFound('getCollection', call(e, e.getCollection, { name: 'iso' }, b));
    walked.add('listCollections');
    expect((await call(e, e.listCollections, { embeddingType: 0 }, b)).collections.map((c) => c.name)).to.not.include('iso');
    await notFound('upsert', call(e, e.upsert, { collection: 'iso', points: [point('evil')] }, b));
    await notFound('upsertStream', clientStream(e, e.upsertStream as never, b, [{ collection: 'iso', points: [point('evil')] }]));
    await notFound('getPoints', call(e, e.getPoints, { collection: 'iso', ids: ['x1'], withVectors: true, vectorEncoding: 0 }, b));
    await notFound('deletePoints', call(e, e.deletePoints, { collection: 'iso', ids: ['x1'], filter: undefined }, b));
    await notFound('updateMetadata', call(e, e.updateMetadata, { collection: 'iso', ids: ['x1'], metadata: { owner: 'b' }, mode: 0 }, b));
    await notFound(
      'scroll',
      call(e, e.scroll, { collection: 'iso', filter: undefined, pageSize: 10, pageToken: '', withVectors: false, vectorEncoding: 0 }, b),
    );
    const search = {
      collection: 'iso',
      vector: { values: [1, 0.5, 0.25], float32Le: Buffer.alloc(0) },
      pointId: '',
      topK: 5,
      filter: undefined,
      efSearch: 0,
      exact: false,
      groupByContent: false,
      withVectors: false,
      vectorEncoding: 0,
    };
    await notFound('search', call(e, e.search, search, b));
    await notFound('searchBatch', call(e, e.searchBatch, { searches: [search] }, b));
    await expectStatus(call(e, e.search, { ...search, collection: 'iso-alias' }, b), status.NOT_FOUND, /collection "iso-alias" not found/);
    await notFound('recommend', call(e, e.recommend, recommendRequest('iso', { positiveIds: ['x1'] }), b));
    await expectStatus(call(e, e.recommend, recommendRequest('iso-alias', { positiveIds: ['x1'] }), b), status.NOT_FOUND, /collection "iso-alias"/);
    await notFound(
      'searchContent',
      call(e, e.searchContent, SearchContentRequest.fromPartial({ subQueries: [{ collection: 'iso', contentId: 'c1' }], topK: 5 }), b),
    );
    await notFound('createAlias', call(e, e.createAlias, { alias: 'mine', collection: 'iso' }, b));
    walked.add('listAliases');
    expect((await call(e, e.listAliases, { collection: '' }, b)).aliases).to.deep.equal([]);
    walked.add('switchAlias');
    await expectStatus(call(e, e.switchAlias, { alias: 'iso-alias', collection: 'iso' }, b), status.NOT_FOUND, /alias "iso-alias" not found/);
    walked.add('deleteAlias');
    await expectStatus(call(e, e.deleteAlias, { alias: 'iso-alias' }, b), status.NOT_FOUND, /alias "iso-alias" not found/);
    await notFound('buildIndex', call(e, e.buildIndex, { collection: 'iso' }, b));
    await notFound('deleteCollection', call(e, e.deleteCollection, { name: 'iso' }, b));
    // B may use the same name for a collection of its own; A's stays untouched.
    walked.add('createCollection');
    await call(e, e.createCollection, { collection: collectionSpec({ name: 'iso' }) }, b);
    expect((await call(e, e.getCollection, { name: 'iso' }, b)).collection!.pointCount).to.equal(0);
    const mine = await call(e, e.getPoints, { collection: 'iso', ids: ['x1', 'x2'], withVectors: false, vectorEncoding: 0 }, a);
    expect(mine.points.map((p) => [p.id, p.metadata])).to.deep.equal([
      ['x1', { owner: 'a' }],
      ['x2', { owner: 'a' }],
    ]);
    await call(e, e.deleteCollection, { name: 'iso' }, b);
    expect((await call(e, e.listAliases, { collection: '' }, a)).aliases.map((x) => [x.alias, x.collection])).to.deep.equal([['iso-alias', 'iso']]);
  });

  it("MetricsService: tenant B reads, writes and deletes none of tenant A's content, posts or records", async () => {
    const m = server.metrics;
    walked.add('getContent');
    await expectStatus(call(m, m.getContent, { contentId: 'c1' }, b), status.NOT_FOUND);
    walked.add('listContent');
    expect((await call(m, m.listContent, { pageSize: 1000, pageToken: '' }, b)).contents).to.deep.equal([]);
    walked.add('getPost');
    await expectStatus(call(m, m.getPost, { postId: 'p1' }, b), status.NOT_FOUND);
    walked.add('listPosts');
    expect((await call(m, m.listPosts, { contentId: '', platform: 0, pageSize: 1000, pageToken: '' }, b)).posts).to.deep.equal([]);
    walked.add('registerPost');
    await expectStatus(
      call(
        m,
        m.registerPost,
        {
          post: {
            postId: 'p9',
            contentId: 'c1',
            platform: Platform.PLATFORM_TIKTOK,
            account: '',
            publishTime: new Date(),
            timeZone: '',
            createTime: undefined,
            updateTime: undefined,
          },
        },
        b,
      ),
      status.FAILED_PRECONDITION,
    );
    walked.add('recordMetrics');
    const recorded = await call(m, m.recordMetrics, { records: records('b'), allOrNothing: false }, b);
    expect(recorded.acceptedCount).to.equal(0);
    expect(recorded.rejected.map((r) => r.field)).to.deep.equal(['retention.post_id', 'engagement.post_id']);
    walked.add('streamMetrics');
    const streamed = await clientStream<unknown, { acceptedCount: number; rejectedCount: number }>(m, m.streamMetrics as never, b, [
      { records: records('b2') },
    ]);
    expect([streamed.acceptedCount, streamed.rejectedCount]).to.deep.equal([0, 2]);
    walked.add('queryMetrics');
    const queried = await call(
      m,
      m.queryMetrics,
      {
        family: MetricFamily.METRIC_FAMILY_RETENTION,
        postIds: [],
        contentIds: [],
        platform: 0,
        startTime: undefined,
        endTime: undefined,
        latestOnly: false,
        pageSize: 0,
        pageToken: '',
      },
      b,
    );
    expect(queried.records).to.deep.equal([]);
    walked.add('exportMetrics');
    const exported = await serverStream<unknown, { records: unknown[] }>(
      m,
      m.exportMetrics as never,
      { family: MetricFamily.METRIC_FAMILY_ENGAGEMENT, startTime: undefined, endTime: undefined, platform: 0 },
      b,
    );
    expect(exported.flatMap((c) => c.records)).to.deep.equal([]);
    walked.add('listDailySnapshots');
    expect((await call(m, m.listDailySnapshots, { startDay: DAY, endDay: DAY, platform: 0 }, b)).snapshots).to.deep.equal([]);
    walked.add('deleteContent');
    await expectStatus(call(m, m.deleteContent, { contentId: 'c1' }, b), status.NOT_FOUND);
    // B's own content with A's ids is B's alone; the same record ids are free for B.
    walked.add('registerContent');
    await call(
      m,
      m.registerContent,
      { content: { contentId: 'c1', durationS: 12, features: undefined, metadata: undefined, createTime: undefined, updateTime: undefined } },
      b,
    );
    expect((await call(m, m.getContent, { contentId: 'c1' }, a)).content!.durationS).to.equal(30);
    const aRecords = await call(
      m,
      m.queryMetrics,
      {
        family: MetricFamily.METRIC_FAMILY_RETENTION,
        postIds: ['p1'],
        contentIds: [],
        platform: 0,
        startTime: undefined,
        endTime: undefined,
        latestOnly: false,
        pageSize: 0,
        pageToken: '',
      },
      a,
    );
    expect(aRecords.records.map((r) => r.recordId)).to.deep.equal(['a-ret']);
    await call(m, m.deleteContent, { contentId: 'c1' }, b);
    expect((await call(m, m.getContent, { contentId: 'c1' }, a)).content!.contentId).to.equal('c1');
  });

  it("LearningService: tenant B learns only from its own data and reads none of tenant A's runs", async () => {
    const l = server.learning;
    walked.add('getDailySnapshot');
    expect((await call(l, l.getDailySnapshot, { day: DAY, platform: 0 }, b)).snapshots).to.deep.equal([]);
    walked.add('getRetentionAnalysis');
    await expectStatus(call(l, l.getRetentionAnalysis, { postId: 'p1' }, b), status.NOT_FOUND);
    walked.add('getRetentionClusters');
    expect((await call(l, l.getRetentionClusters, { startDay: DAY, endDay: '', platform: 0, maxClusters: 0 }, b)).postsCount).to.equal(0);
    walked.add('getLearningReport');
    await expectStatus(call(l, l.getLearningReport, { day: DAY }, b), status.NOT_FOUND);
    walked.add('listLearningRuns');
    expect((await call(l, l.listLearningRuns, { startDay: '', endDay: '', pageSize: 0, pageToken: '' }, b)).runs).to.deep.equal([]);
    walked.add('predictVirality');
    await expectStatus(
      call(
        l,
        l.predictVirality,
        {
          items: [
            {
              contentId: 'c1',
              features: undefined,
              durationS: 0,
              platform: Platform.PLATFORM_TIKTOK,
              plannedPublishTime: undefined,
              timeZone: '',
              postId: '',
              horizonHours: 0,
            },
          ],
        },
        b,
      ),
      status.NOT_FOUND,
    );
    walked.add('getBestTimeToPost');
    const best = await call(
      l,
      l.getBestTimeToPost,
      { platform: Platform.PLATFORM_TIKTOK, timeZone: 'UTC', lookbackDays: 365, metric: TimingMetric.TIMING_METRIC_VIEWS, afterTime: undefined },
      b,
    );
    expect(best.sampleSize).to.equal(0);
    walked.add('buildDailySnapshot');
    expect((await call(l, l.buildDailySnapshot, { day: DAY }, b)).snapshots).to.deep.equal([]);
    walked.add('runDailyLearning');
    const run = await call(l, l.runDailyLearning, { day: DAY, force: false }, b);
    expect(run.reused).to.equal(false);
    expect(run.report!.empty).to.equal(true);
    walked.add('backfill');
    const backfill = await call(l, l.backfill, { startDay: DAY, endDay: DAY, reprocess: 3 }, b);
    expect(backfill.runs.map((r) => r.rowsRead)).to.deep.equal([0]);
    walked.add('setLearningSettings');
    walked.add('getLearningSettings');
    expect((await call(l, l.setLearningSettings, { shareLearning: true }, b)).settings?.shareLearning).to.equal(true);
    expect((await call(l, l.getLearningSettings, {}, a)).settings?.shareLearning).to.equal(false);
    await call(l, l.setLearningSettings, { shareLearning: false }, b);
    // A's run and snapshot are intact.
    const aReport = await call(l, l.getLearningReport, { day: DAY }, a);
    expect(aReport.report!.postsAnalysed).to.equal(1);
    expect((await call(l, l.getDailySnapshot, { day: DAY, platform: 0 }, a)).snapshots).to.have.length(1);
  });

  it('walked every RPC of the three services', () => {
    const all = [EmbeddingServiceService, MetricsServiceService, LearningServiceService].flatMap((d) => Object.keys(d));
    expect([...walked].sort()).to.deep.equal([...all].sort());
  });
});
