// RecordMetrics and QueryMetrics over a real server: round trips, idempotency, rejections, filters and paging.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import { MetricFamily, type MetricRecord, type QueryMetricsRequest } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { payloads, registerPosts, retentionRecord } from '../helpers/metrics-fixtures.js';
import { BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const FAMILY_OF_CASE: Record<string, MetricFamily> = {
  retention: MetricFamily.METRIC_FAMILY_RETENTION,
  engagement: MetricFamily.METRIC_FAMILY_ENGAGEMENT,
  viewerBehavior: MetricFamily.METRIC_FAMILY_VIEWER_BEHAVIOR,
  enginePerformance: MetricFamily.METRIC_FAMILY_ENGINE_PERFORMANCE,
  satellitePerformance: MetricFamily.METRIC_FAMILY_SATELLITE_PERFORMANCE,
  metaLearningScore: MetricFamily.METRIC_FAMILY_META_LEARNING_SCORE,
};

function queryRequest(family: MetricFamily, extra: Partial<QueryMetricsRequest> = {}): QueryMetricsRequest {
  return {
    family,
    postIds: [],
    contentIds: [],
    platform: 0,
    startTime: undefined,
    endTime: undefined,
    latestOnly: false,
    pageSize: 0,
    pageToken: '',
    ...extra,
  };
}

describe(`metrics records (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.stop());

  const record = (records: MetricRecord[], allOrNothing = false) => call(server.metrics, server.metrics.recordMetrics, { records, allOrNothing });
  const query = (request: QueryMetricsRequest) => call(server.metrics, server.metrics.queryMetrics, request);

  it('round-trips a record of every family', async () => {
    const prefix = uniq('rt');
    const { contentId, postIds } = await registerPosts(server, prefix);
    const observeTime = new Date('2026-02-01T12:00:00.123Z');
    const records = payloads(postIds[0], contentId).map((payload, i) => ({ recordId: `${prefix}-${i}`, observeTime, payload }));
    const result = await record(records);
    expect(result).to.deep.equal({ acceptedCount: 6, duplicateCount: 0, rejectedCount: 0, rejected: [] });
    for (const sent of records) {
      const family = FAMILY_OF_CASE[sent.payload!.$case];
      const filter = sent.payload!.$case === 'enginePerformance' ? { contentIds: [contentId] } : {};
      const page = await query(queryRequest(family, { ...filter, startTime: observeTime, endTime: new Date(observeTime.getTime() + 1) }));
      const found = page.records.filter((r) => r.recordId === sent.recordId);
      expect(found, sent.payload!.$case).to.deep.equal([sent]);
    }
  });

  it('round-trips a single record of every family (one statement), its retry a duplicate, another payload a conflict', async () => {
    const prefix = uniq('one');
    const { contentId, postIds } = await registerPosts(server, prefix);
    const observeTime = new Date('2026-02-01T13:00:00.456Z');
    const emptyCurve = { $case: 'retention', value: { ...payloads(postIds[0], contentId)[0].value, retentionCurve: [] } } as MetricRecord['payload'];
    const records = [...payloads(postIds[0], contentId), emptyCurve].map((payload, i) => ({ recordId: `${prefix}-${i}`, observeTime, payload }));
    for (const sent of records) {
      expect(await record([sent]), sent.recordId).to.deep.include({ acceptedCount: 1, rejectedCount: 0 });
      expect(await record([sent]), sent.recordId).to.deep.include({ acceptedCount: 0, duplicateCount: 1 });
      const family = FAMILY_OF_CASE[sent.payload!.$case];
      const filter = sent.payload!.$case === 'enginePerformance' ? { contentIds: [contentId] } : {};
      const page = await query(queryRequest(family, { ...filter, startTime: observeTime, endTime: new Date(observeTime.getTime() + 1) }));
      expect(
        page.records.filter((r) => r.recordId === sent.recordId),
        sent.recordId,
      ).to.deep.equal([sent]);
    }
    const reused = await record([{ ...records[1], observeTime: new Date(observeTime.getTime() + 1000) }]);
    expect(reused.rejected[0]).to.include({ index: 0, field: 'record_id' });
  });

  it('counts a retried batch as duplicates and rejects a reused id with another payload', async () => {
    const prefix = uniq('dup');
    const { postIds } = await registerPosts(server, prefix);
    const t = new Date('2026-02-02T00:00:00Z');
    const records = [retentionRecord(`${prefix}-a`, postIds[0], t), retentionRecord(`${prefix}-b`, postIds[0], t)];
    expect((await record(records)).acceptedCount).to.equal(2);
    expect(await record(records)).to.deep.equal({ acceptedCount: 0, duplicateCount: 2, rejectedCount: 0, rejected: [] });
    const changed = await record([retentionRecord(`${prefix}-a`, postIds[0], t, 999)]);
    expect(changed.rejectedCount).to.equal(1);
    expect(changed.rejected[0]).to.include({ index: 0, recordId: `${prefix}-a`, field: 'record_id' });
    expect(changed.rejected[0].reason).to.match(/different payload/);
    // The same id in another family is a different payload too.
    const other = await record([{ recordId: `${prefix}-b`, observeTime: t, payload: payloads(postIds[0], 'c')[1] }]);
    expect(other.rejected[0].field).to.equal('record_id');
    const stored = await query(queryRequest(MetricFamily.METRIC_FAMILY_RETENTION, { postIds }));
    expect(stored.records.map((r) => r.recordId)).to.deep.equal([`${prefix}-a`, `${prefix}-b`]);
  });

  it('resolves the same id twice in one batch: same payload is a duplicate, another payload is rejected', async () => {
    const prefix = uniq('rep');
    const { postIds } = await registerPosts(server, prefix);
    const t = new Date('2026-02-03T00:00:00Z');
    const result = await record([
      retentionRecord(`${prefix}-a`, postIds[0], t),
      retentionRecord(`${prefix}-a`, postIds[0], t),
      retentionRecord(`${prefix}-a`, postIds[0], t, 5),
    ]);
    expect(result).to.deep.include({ acceptedCount: 1, duplicateCount: 1, rejectedCount: 1 });
    expect(result.rejected[0]).to.include({ index: 2, field: 'record_id' });
  });

  it('rejects a record of an unknown post without failing the batch', async () => {
    const prefix = uniq('unk');
    const { postIds } = await registerPosts(server, prefix);
    const t = new Date('2026-02-04T00:00:00Z');
    const result = await record([retentionRecord(`${prefix}-a`, 'no-such-post', t), retentionRecord(`${prefix}-b`, postIds[0], t)]);
    expect(result).to.deep.include({ acceptedCount: 1, rejectedCount: 1 });
    expect(result.rejected[0]).to.include({ index: 0, field: 'retention.post_id' });
    expect(result.rejected[0].reason).to.match(/not registered/);
  });

  it('writes nothing in all_or_nothing mode when a record is rejected, and says why', async () => {
    const prefix = uniq('aon');
    const { postIds } = await registerPosts(server, prefix);
    const t = new Date('2026-02-05T00:00:00Z');
    const good = retentionRecord(`${prefix}-a`, postIds[0], t);
    const unknownPost = await record([good, retentionRecord(`${prefix}-b`, 'missing', t)], true);
    expect(unknownPost).to.deep.include({ acceptedCount: 0, rejectedCount: 1 });
    expect(unknownPost.rejected[0]).to.include({ index: 1, field: 'retention.post_id' });
    const invalid = { ...retentionRecord(`${prefix}-c`, postIds[0], t), recordId: '' };
    const badInput = await record([good, invalid], true);
    expect(badInput).to.deep.include({ acceptedCount: 0, rejectedCount: 1 });
    expect(badInput.rejected[0]).to.include({ index: 1, field: 'record_id' });
    expect((await query(queryRequest(MetricFamily.METRIC_FAMILY_RETENTION, { postIds }))).records).to.deep.equal([]);
    expect((await record([good], true)).acceptedCount).to.equal(1);
  });

  it('rejects a batch over LIMIT_MAX_BATCH_SIZE as a whole', async () => {
    const records = Array.from({ length: server.config.limits.maxBatchSize + 1 }, (_, i) => retentionRecord(`x${i}`, 'p', new Date()));
    const err = await expectStatus(record(records), status.INVALID_ARGUMENT, /at most 1000/);
    expect(err.metadata.get('field')).to.deep.equal(['records']);
  });

  describe('rejects each kind of bad record, naming the field', () => {
    const t = new Date('2026-02-06T00:00:00Z');
    const base = payloads('p', 'c');
    const withValue = (i: number, patch: object): MetricRecord => ({
      recordId: uniq('bad'),
      observeTime: t,
      payload: { ...base[i], value: { ...base[i].value, ...patch } } as MetricRecord['payload'],
    });
    const increasing = Array.from({ length: 101 }, (_, i) => (i === 50 ? 0.9 : 0.5));
    const cases: Array<[string, MetricRecord, string]> = [
      ['empty record id', { ...withValue(0, {}), recordId: '' }, 'record_id'],
      ['over-long record id', { ...withValue(0, {}), recordId: 'r'.repeat(257) }, 'record_id'],
      ['missing observe time', { ...withValue(0, {}), observeTime: undefined }, 'observe_time'],
      // NOTE: a day ahead, not minutes: the cases are built when the file loads, maybe many minutes before this runs.
      ['observe time in the far future', { ...withValue(0, {}), observeTime: new Date(Date.now() + 86_400_000) }, 'observe_time'],
      ['missing payload', { recordId: 'x', observeTime: t, payload: undefined }, 'payload'],
      ['rate above 1', withValue(0, { completionRate: 1.5 }), 'retention.completion_rate'],
      ['negative rate', withValue(0, { skipRateFirst3s: -0.1 }), 'retention.skip_rate_first_3s'],
      ['NaN duration', withValue(0, { averageViewDurationS: NaN }), 'retention.average_view_duration_s'],
      ['short retention curve', withValue(0, { retentionCurve: [1, 0.5] }), 'retention.retention_curve'],
      ['increasing retention curve', withValue(0, { retentionCurve: increasing }), 'retention.retention_curve'],
      ['retention curve above 1', withValue(0, { retentionCurve: Array(101).fill(1.5) }), 'retention.retention_curve'],
      ['empty post id', withValue(1, { postId: '' }), 'engagement.post_id'],
      ['traffic sources summing over 1', withValue(2, { trafficSources: { a: 0.75, b: 0.5 } }), 'viewer_behavior.traffic_sources'],
      ['watch time distribution of 9 values', withValue(2, { watchTimeDistribution: Array(9).fill(0.1) }), 'viewer_behavior.watch_time_distribution'],
      ['negative latency', withValue(3, { latencyMs: -1 }), 'engine_performance.latency_ms'],
      ['infinite cost', withValue(3, { costUsd: Infinity }), 'engine_performance.cost_usd'],
      ['empty engine', withValue(3, { engine: '' }), 'engine_performance.engine'],
      ['unspecified platform', withValue(4, { platform: 0 }), 'satellite_performance.platform'],
      ['unknown platform', withValue(4, { platform: 42 }), 'satellite_performance.platform'],
      ['non-finite score', withValue(5, { score: -Infinity }), 'meta_learning_score.score'],
    ];
    for (const [what, bad, field] of cases) {
      it(what, async () => {
        const result = await record([bad]);
        expect(result.rejectedCount, JSON.stringify(result.rejected)).to.equal(1);
        expect(result.rejected[0]).to.include({ index: 0, field });
        expect(result.rejected[0].reason).to.have.length.greaterThan(10);
      });
    }
  });

  it('filters by post, content, platform and time range, and keeps the latest observation per post', async () => {
    const prefix = uniq('flt');
    const tiktok = await registerPosts(server, `${prefix}a`, 2, Platform.PLATFORM_TIKTOK);
    const youtube = await registerPosts(server, `${prefix}b`, 1, Platform.PLATFORM_YOUTUBE);
    const hour = (h: number) => new Date(Date.UTC(2026, 2, 1, h));
    const records: MetricRecord[] = [];
    for (const postId of [...tiktok.postIds, ...youtube.postIds]) {
      for (let h = 0; h < 3; h++) records.push(retentionRecord(`${postId}-h${h}`, postId, hour(h), 10 * (h + 1)));
    }
    expect((await record(records)).acceptedCount).to.equal(9);
    const ids = async (extra: Partial<QueryMetricsRequest>) =>
      (await query(queryRequest(MetricFamily.METRIC_FAMILY_RETENTION, { contentIds: [tiktok.contentId, youtube.contentId], ...extra }))).records.map(
        (r) => r.recordId,
      );
    expect(await ids({})).to.have.length(9);
    expect(await ids({ postIds: [tiktok.postIds[1]] })).to.deep.equal([0, 1, 2].map((h) => `${tiktok.postIds[1]}-h${h}`));
    expect(await ids({ contentIds: [youtube.contentId] })).to.have.length(3);
    expect(await ids({ platform: Platform.PLATFORM_YOUTUBE })).to.deep.equal([0, 1, 2].map((h) => `${youtube.postIds[0]}-h${h}`));
    expect(await ids({ startTime: hour(1), endTime: hour(2) })).to.have.length(3);
    const latest = await ids({ latestOnly: true });
    expect(latest.sort()).to.deep.equal([...tiktok.postIds, ...youtube.postIds].map((p) => `${p}-h2`).sort());
    expect(await ids({ latestOnly: true, endTime: hour(2) })).to.have.length(3);
  });

  it('pages through records with every row exactly once, and refuses a token of another query', async () => {
    const prefix = uniq('pg');
    const { postIds } = await registerPosts(server, prefix, 2);
    // Equal observe times across posts exercise the record_id tie-break of the keyset.
    const records: MetricRecord[] = [];
    for (let i = 0; i < 230; i++)
      records.push(retentionRecord(`${prefix}-${String(i).padStart(3, '0')}`, postIds[i % 2], new Date(Date.UTC(2026, 3, 1, 0, Math.floor(i / 7)))));
    expect((await record(records)).acceptedCount).to.equal(230);
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await query(queryRequest(MetricFamily.METRIC_FAMILY_RETENTION, { postIds, pageSize: 17, pageToken }));
      seen.push(...page.records.map((r) => r.recordId));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken);
    expect(pages).to.equal(Math.ceil(230 / 17));
    expect(seen).to.deep.equal(records.map((r) => r.recordId));
    const first = await query(queryRequest(MetricFamily.METRIC_FAMILY_RETENTION, { postIds, pageSize: 10 }));
    await expectStatus(
      query(queryRequest(MetricFamily.METRIC_FAMILY_RETENTION, { postIds: [postIds[0]], pageToken: first.nextPageToken })),
      status.INVALID_ARGUMENT,
      /other filters/,
    );
    await expectStatus(query(queryRequest(MetricFamily.METRIC_FAMILY_RETENTION, { pageToken: 'garbage' })), status.INVALID_ARGUMENT, /page_token/);
  });

  it('refuses bad queries, naming the field', async () => {
    const cases: Array<[Partial<QueryMetricsRequest> & { family: MetricFamily }, string]> = [
      [{ family: MetricFamily.METRIC_FAMILY_UNSPECIFIED }, 'family'],
      [{ family: MetricFamily.METRIC_FAMILY_RETENTION, pageSize: 5001 }, 'page_size'],
      [{ family: MetricFamily.METRIC_FAMILY_RETENTION, platform: 99 as Platform }, 'platform'],
      [{ family: MetricFamily.METRIC_FAMILY_META_LEARNING_SCORE, postIds: ['p'] }, 'post_ids'],
      [{ family: MetricFamily.METRIC_FAMILY_META_LEARNING_SCORE, platform: Platform.PLATFORM_X }, 'platform'],
      [{ family: MetricFamily.METRIC_FAMILY_RETENTION, postIds: [''] }, 'post_ids[0]'],
      [{ family: MetricFamily.METRIC_FAMILY_RETENTION, startTime: new Date(2000), endTime: new Date(1000) }, 'end_time'],
    ];
    for (const [request, field] of cases) {
      const err = await expectStatus(query(queryRequest(request.family, request)), status.INVALID_ARGUMENT);
      expect(err.metadata.get('field'), field).to.deep.equal([field]);
    }
  });
});
