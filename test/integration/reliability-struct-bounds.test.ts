// Hostile google.protobuf.Struct values (metadata, context, metadata_contains): too many keys, nested too deep, or
// too many keys over one request are refused on their wire bytes before they are converted (src/domain/struct-bounds.ts),
// as the rejection of their own record naming the field, or INVALID_ARGUMENT naming the field in a unary call; the
// neighbours are stored. Before, a deep Struct failed the whole request in decoding, and a wide one was converted whole.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { MESSAGE_MAX_STRUCT_ENTRIES, STRUCT_MAX_DEPTH, STRUCT_MAX_ENTRIES } from '../../src/domain/struct-bounds.js';
import { payloads, registerPosts, streamAll } from '../helpers/metrics-fixtures.js';
import { BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { createCollection, floats, point, searchRequest, streamMessages, upsertStream, stopAndClean } from '../helpers/embedding.js';

/** An object nested `depth` levels deep (alternating objects and lists when `lists`). */
function nested(depth: number, lists = false): Record<string, unknown> {
  let value: unknown = 'leaf';
  for (let level = 1; level < depth; level++) value = lists && level % 2 === 0 ? [value] : { k: value };
  return { top: value };
}

/** An object with `count` keys. */
function wide(count: number): Record<string, unknown> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));
}

const at = new Date(Date.now() - 3_600_000);

describe(`reliability: Struct bounds before conversion (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await stopAndClean(server);
  });

  it('UpsertStream rejects the too-wide and too-deep metadata by index and stores the neighbours', async () => {
    const name = await createCollection(server.embedding, { dimension: 3 });
    const points = [
      point('ok-1', floats([1, 0, 0]), 'c', nested(STRUCT_MAX_DEPTH, true)),
      point('deep', floats([0, 1, 0]), 'c', nested(600)),
      point('ok-2', floats([0, 0, 1]), 'c', wide(STRUCT_MAX_ENTRIES)),
      point('wide', floats([1, 1, 0]), 'c', wide(50_000)),
      point('deep-list', floats([1, 0, 1]), 'c', nested(STRUCT_MAX_DEPTH + 2, true)),
      point('ok-3', floats([0, 1, 1]), 'c', { brand: 'acme' }),
    ];
    const answer = await upsertStream(server.embedding, streamMessages(name, points, 3));
    expect(answer.insertedCount, JSON.stringify(answer.rejected)).to.equal(3);
    expect(answer.rejected.map((r) => [r.index, r.id])).to.deep.equal([
      [1, 'deep'],
      [3, 'wide'],
      [4, 'deep-list'],
    ]);
    expect(answer.rejected[0]!.reason).to.match(new RegExp(`metadata is nested more than ${STRUCT_MAX_DEPTH} levels deep`));
    expect(answer.rejected[1]!.reason).to.match(new RegExp(`metadata has more than ${STRUCT_MAX_ENTRIES} keys and list items`));
    const { points: stored } = await call(server.embedding, server.embedding.getPoints, {
      collection: name,
      ids: ['ok-1', 'ok-2'],
      withVectors: false,
      vectorEncoding: 0,
    });
    expect(stored.map((p) => Object.keys(p.metadata ?? {}).length)).to.deep.equal([1, STRUCT_MAX_ENTRIES]);
  });

  it('one message past the per-request budget of keys rejects the points beyond it and stores those before', async () => {
    const name = await createCollection(server.embedding, { dimension: 3 });
    const perPoint = 1_000;
    const fit = Math.floor(MESSAGE_MAX_STRUCT_ENTRIES / perPoint);
    const points = Array.from({ length: fit + 3 }, (_, i) => point(`p${i}`, floats([1, i, 0]), 'c', wide(perPoint)));
    const answer = await upsertStream(server.embedding, streamMessages(name, points, points.length));
    expect(answer.insertedCount).to.equal(fit);
    expect(answer.rejected.map((r) => r.index)).to.deep.equal([fit, fit + 1, fit + 2]);
    expect(answer.rejected[0]!.reason).to.match(/keys and list items over all its structs; send fewer records per request/);
  });

  it('unary calls answer INVALID_ARGUMENT naming the Struct field: Upsert, UpdateMetadata, Search filter, RegisterContent', async () => {
    const e = server.embedding;
    const name = await createCollection(e, { dimension: 3 });
    await expectStatus(
      call(e, e.upsert, { collection: name, points: [point('a', floats([1, 0, 0])), point('b', floats([0, 1, 0]), 'c', nested(500))] }),
      status.INVALID_ARGUMENT,
      /points\[1\]\.metadata is nested more than/,
    );
    await call(e, e.upsert, { collection: name, points: [point('a', floats([1, 0, 0]))] });
    await expectStatus(
      call(e, e.updateMetadata, { collection: name, ids: ['a'], metadata: wide(20_000), mode: 0 }),
      status.INVALID_ARGUMENT,
      /^metadata has more than/,
    );
    const filter = { contentIds: [], createdAfter: undefined, createdBefore: undefined, metadataContains: nested(100) };
    await expectStatus(call(e, e.search, searchRequest(name, { vector: floats([1, 0, 0]), filter })), status.INVALID_ARGUMENT, /metadata_contains is nested/);
    const m = server.metrics;
    const content = { contentId: uniq('sc'), durationS: 30, features: undefined, metadata: wide(5_000), createTime: undefined, updateTime: undefined };
    await expectStatus(call(m, m.registerContent, { content }), status.INVALID_ARGUMENT, /content\.metadata has more than/);
  });

  it('StreamMetrics rejects the record whose context is too deep or too wide and stores its neighbours', async () => {
    const { contentId, postIds } = await registerPosts(server, uniq('sb'));
    const meta = payloads(postIds[0]!, contentId)[5]!;
    const withContext = (context: Record<string, unknown>) => ({ ...meta, value: { ...meta.value, context } }) as typeof meta;
    const records = [nested(3), nested(1_000), wide(10), wide(30_000)].map((context, i) => ({
      recordId: uniq(`sb-${i}`),
      observeTime: at,
      payload: withContext(context),
    }));
    const answer = await streamAll(server.metrics, [{ records }]);
    expect(answer.acceptedCount, JSON.stringify(answer.rejected)).to.equal(2);
    expect(answer.rejected.map((r) => r.index)).to.deep.equal([1, 3]);
    for (const r of answer.rejected) expect(`${r.field}: ${r.reason}`).to.match(/context.*(nested more than|more than \d+ keys)/);
  });
});
