// One poison record never fails its neighbours: a NUL character anywhere in a record's strings, a number beyond
// 2^53 or beyond what its column holds, or an absurd magnitude is a rejection of that record (index, field,
// reason) and the rest is stored — in unary writes and streams, for metrics and for points; timestamps out of the
// accepted span are refused by field; and a DeleteCollection racing an UpsertStream never deadlocks.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import type { MetricRecord } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { payloads, registerPosts, streamAll } from '../helpers/metrics-fixtures.js';
import { BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { createCollection, floats, point, streamMessages, upsertStream, stopAndClean } from '../helpers/embedding.js';

const NUL = '\u0000';
const at = new Date(Date.now() - 3_600_000);

/** The six valid payloads of a post, with one family's value replaced. */
function poisoned(postId: string, contentId: string): { record: MetricRecord; field: RegExp }[] {
  type Payload = NonNullable<MetricRecord['payload']>;
  const [retention, engagement, viewer, engine, satellite, meta] = payloads(postId, contentId);
  /** The payload with some of its values replaced (any value, valid or not: what a hostile caller can send). */
  const withValues = (payload: Payload | undefined, values: Record<string, unknown>): Payload =>
    ({ ...payload!, value: { ...payload!.value, ...values } }) as Payload;
  const cases: { payload: NonNullable<MetricRecord['payload']>; field: RegExp }[] = [
    { payload: withValues(engine, { engine: `vis${NUL}ion` }), field: /engine_performance\.engine/ },
    { payload: withValues(engine, { errorMessage: `boom${NUL}` }), field: /engine_performance\.error_message/ },
    { payload: withValues(meta, { context: { nested: { deep: [`x${NUL}`] } } }), field: /meta_learning_score\.context/ },
    { payload: withValues(meta, { context: { [`key${NUL}`]: 1 } }), field: /meta_learning_score\.context/ },
    { payload: withValues(viewer, { trafficSources: { [`for${NUL}you`]: 0.5 } }), field: /viewer_behavior\.traffic_sources/ },
    { payload: withValues(retention, { averageViewDurationS: 1e308 }), field: /retention\.average_view_duration_s/ },
    { payload: withValues(engagement, { likes: 2 ** 53 + 2 }), field: /engagement\.likes/ },
    { payload: withValues(engine, { latencyMs: -1e300 }), field: /engine_performance\.latency_ms/ },
    { payload: withValues(satellite, { satelliteAccount: `sat${NUL}` }), field: /satellite_performance\.satellite_account/ },
  ];
  return cases.map(({ payload, field }, i) => ({ record: { recordId: `${postId}-bad-${i}`, observeTime: at, payload }, field }));
}

/** Valid records of every family, interleaved with the poisoned ones (even indices good, odd bad). */
function interleaved(prefix: string, postId: string, contentId: string) {
  const bad = poisoned(postId, contentId);
  const good = payloads(postId, contentId);
  const records: MetricRecord[] = [];
  const badIndex = new Map<number, RegExp>();
  bad.forEach(({ record, field }, i) => {
    records.push({ recordId: `${prefix}-good-${i}`, observeTime: at, payload: good[i % good.length]! });
    badIndex.set(records.length, field);
    records.push(record);
  });
  return { records, badIndex, goodCount: bad.length };
}

describe(`reliability: poison records (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await stopAndClean(server);
  });

  for (const shape of ['RecordMetrics', 'StreamMetrics'] as const) {
    it(`${shape}: each poisoned record is rejected by index and field; its neighbours are stored`, async () => {
      const prefix = uniq(`poison-${shape}`);
      const { contentId, postIds } = await registerPosts(server, prefix);
      const { records, badIndex, goodCount } = interleaved(prefix, postIds[0]!, contentId);
      const answer =
        shape === 'RecordMetrics'
          ? await call(server.metrics, server.metrics.recordMetrics, { records, allOrNothing: false })
          : await streamAll(server.metrics, [{ records: records.slice(0, 7) }, { records: records.slice(7) }]);
      expect(answer.acceptedCount, JSON.stringify(answer.rejected)).to.equal(goodCount);
      expect(answer.rejected.map((r) => r.index)).to.deep.equal([...badIndex.keys()]);
      for (const rejected of answer.rejected) expect(`${rejected.field}: ${rejected.reason}`).to.match(badIndex.get(rejected.index)!);
      expect(answer.rejected.filter((r) => /NUL/.test(r.reason))).to.have.length(6);
      // Re-sending the same stream is not stuck on the poison: the good records are duplicates now.
      const again = await call(server.metrics, server.metrics.recordMetrics, { records, allOrNothing: false });
      expect([again.acceptedCount, again.duplicateCount, again.rejectedCount]).to.deep.equal([0, goodCount, badIndex.size]);
    });
  }

  it('RegisterContent and RegisterPost name the field of a NUL or of a number beyond its column', async () => {
    const m = server.metrics;
    const content = (over: Record<string, unknown>) => ({
      content: { contentId: uniq('pc'), durationS: 30, features: undefined, metadata: undefined, createTime: undefined, updateTime: undefined, ...over },
    });
    const features = { qualityScore: 0.5, aestheticScore: 0.5, captionLengthChars: 4_294_967_295, ctaInFirst5s: false, hashtagCount: 1 };
    await expectStatus(call(m, m.registerContent, content({ features })), status.INVALID_ARGUMENT, /content\.features\.caption_length_chars is 4294967295/);
    await expectStatus(call(m, m.registerContent, content({ contentId: `c${NUL}` })), status.INVALID_ARGUMENT, /content\.content_id contains a NUL/);
    await expectStatus(
      call(m, m.registerContent, content({ metadata: { tag: `a${NUL}b` } })),
      status.INVALID_ARGUMENT,
      /content\.metadata contains a NUL .* at tag/,
    );
    await expectStatus(call(m, m.registerContent, content({ durationS: 1e308 })), status.INVALID_ARGUMENT, /content\.duration_s is 1e\+308/);
    const { contentId } = await registerPosts(server, uniq('pp'), 0);
    const post = { postId: `p${NUL}`, contentId, platform: 1, account: '', publishTime: at, timeZone: 'UTC', createTime: undefined, updateTime: undefined };
    await expectStatus(call(m, m.registerPost, { post }), status.INVALID_ARGUMENT, /post\.post_id contains a NUL/);
  });

  it('timestamps: publish and observe times before 2000 or out of range are refused by field; after_time far ahead is INVALID_ARGUMENT', async () => {
    const m = server.metrics;
    const { contentId, postIds } = await registerPosts(server, uniq('ts'));
    for (const publishTime of [new Date('0031-06-15T00:00:00Z'), new Date('1999-12-31T00:00:00Z'), new Date('9000-01-01T00:00:00Z')]) {
      const post = { postId: uniq('tp'), contentId, platform: 1, account: '', publishTime, timeZone: 'UTC', createTime: undefined, updateTime: undefined };
      await expectStatus(call(m, m.registerPost, { post }), status.INVALID_ARGUMENT, /post\.publish_time/);
    }
    const [retention] = payloads(postIds[0]!, contentId);
    const records = ['0050-01-01', '2026-01-02', '0001-06-15'].map((day, i) => ({
      recordId: uniq(`ts-${i}`),
      observeTime: new Date(`${day}T00:00:00Z`),
      payload: retention!,
    }));
    const answer = await streamAll(m, [{ records }]);
    expect(answer.acceptedCount).to.equal(1);
    expect(answer.rejected.map((r) => [r.index, r.field])).to.deep.equal([
      [0, 'observe_time'],
      [2, 'observe_time'],
    ]);
    // Every read of the post still answers: nothing out of range was stored.
    expect((await call(m, m.getPost, { postId: postIds[0]! })).post!.publishTime!.toISOString()).to.equal('2026-01-01T10:00:00.000Z');
    const l = server.learning;
    await expectStatus(
      call(l, l.getBestTimeToPost, { platform: 1, timeZone: 'UTC', lookbackDays: 0, metric: 0, afterTime: new Date('9000-01-01T00:00:00Z') }),
      status.INVALID_ARGUMENT,
      /after_time/,
    );
  });

  it('UpsertStream rejects the point with a NUL by index and id and stores the rest; Upsert names the field', async () => {
    const name = await createCollection(server.embedding, { dimension: 3 });
    const points = [
      point('ok-1', floats([1, 0, 0])),
      point('bad-meta', floats([0, 1, 0]), 'c1', { caption: `x${NUL}` }),
      point('ok-2', floats([0, 0, 1])),
      point(`bad${NUL}id`, floats([1, 1, 0])),
      point('ok-3', floats([1, 0, 1])),
    ];
    const answer = await upsertStream(server.embedding, streamMessages(name, points, 2));
    expect(answer.insertedCount).to.equal(3);
    expect(answer.rejected.map((r) => [r.index, r.id.replace(NUL, '\\0')])).to.deep.equal([
      [1, 'bad-meta'],
      [3, 'bad\\0id'],
    ]);
    expect(answer.rejected[0]!.reason).to.match(/metadata contains a NUL .* at caption/);
    await expectStatus(
      call(server.embedding, server.embedding.upsert, { collection: name, points: [point('u', floats([1, 0, 0]), `c${NUL}`)] }),
      status.INVALID_ARGUMENT,
      /points\[0\]\.content_id contains a NUL/,
    );
  });
});

describe(`reliability: DeleteCollection during UpsertStream (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.stop());

  it('answers NOT_FOUND or succeeds, never a deadlock, in every trial', async () => {
    for (let trial = 0; trial < 4; trial++) {
      const name = await createCollection(server.embedding, { dimension: 8 });
      const points = Array.from({ length: 12_000 }, (_, i) => point(`p${i}`, floats(Array.from({ length: 8 }, (_, j) => ((i * 7 + j) % 13) + 1))));
      const stream = upsertStream(server.embedding, streamMessages(name, points, 500)).then(
        () => 'ok',
        (err: { code?: number }) => (err.code === status.NOT_FOUND ? 'not found' : `status ${err.code}: ${(err as Error).message}`),
      );
      // Delete once the stream has written something (its first chunks commit while the rest is still sent).
      for (let i = 0; i < 200; i++) {
        const { collection } = await call(server.embedding, server.embedding.getCollection, { name });
        if (collection!.pointCount > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const deleted = await call(server.embedding, server.embedding.deleteCollection, { name }).then(
        () => 'ok',
        (err: { code?: number }) => (err.code === status.NOT_FOUND ? 'not found' : `status ${err.code}: ${(err as Error).message}`),
      );
      expect([await stream, deleted], `trial ${trial}`).to.satisfy(([s, d]: string[]) => ['ok', 'not found'].includes(s!) && ['ok', 'not found'].includes(d!));
    }
  });
});
