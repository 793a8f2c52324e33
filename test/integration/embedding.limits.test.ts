// EmbeddingService cost guards: per-tenant limits from config answer RESOURCE_EXHAUSTED naming the setting.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { EmbeddingType } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { BACKEND, call, expectStatus, startTestServer, type TestServer } from '../helpers/server.js';
import { createCollection, floats, point, sharedServer, stopAndClean } from '../helpers/embedding.js';

const search = { pointId: '', filter: undefined, efSearch: 0, exact: false, groupByContent: false, withVectors: false, vectorEncoding: 0 };

describe(`embedding limits (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    // NOTE: on Postgres all servers of a run share one database (and the default tenant), so the collection
    // limit is set just above what exists; on PGlite every server starts with a fresh database.
    let existing = 0;
    if (BACKEND === 'postgres') {
      const shared = await sharedServer();
      existing = (await call(shared.embedding, shared.embedding.listCollections, { embeddingType: EmbeddingType.EMBEDDING_TYPE_UNSPECIFIED })).collections
        .length;
    }
    server = await startTestServer({
      LIMIT_MAX_COLLECTIONS: String(existing + 2),
      LIMIT_MAX_POINTS_PER_COLLECTION: '5',
      LIMIT_MAX_BATCH_SIZE: '10',
      LIMIT_MAX_TOP_K: '3',
    });
  });
  after(async () => {
    await stopAndClean(server);
  });

  const points = (from: number, n: number) => Array.from({ length: n }, (_, i) => point(`p${from + i}`, floats([1, from + i, 0])));

  it('limits points per collection; updates of existing points do not count', async () => {
    const e = server.embedding;
    const name = await createCollection(e);
    await call(e, e.upsert, { collection: name, points: points(0, 4) });
    await expectStatus(
      call(e, e.upsert, { collection: name, points: points(4, 2) }),
      status.RESOURCE_EXHAUSTED,
      /would hold 6 points; LIMIT_MAX_POINTS_PER_COLLECTION allows 5; nothing of this batch was written/,
    );
    expect(await call(e, e.upsert, { collection: name, points: [...points(0, 4), ...points(4, 1)] })).to.deep.equal({ insertedCount: 1, updatedCount: 4 });
    expect((await call(e, e.getCollection, { name })).collection!.pointCount).to.equal(5);
  });

  it('limits the batch size of Upsert, GetPoints and filters, and top_k', async () => {
    const e = server.embedding;
    const name = await createCollection(e);
    await expectStatus(
      call(e, e.upsert, { collection: name, points: points(0, 11) }),
      status.RESOURCE_EXHAUSTED,
      /11 points; LIMIT_MAX_BATCH_SIZE allows 10 per Upsert \(use UpsertStream for more\)/,
    );
    const ids = points(0, 11).map((p) => p.id);
    await expectStatus(
      call(e, e.getPoints, { collection: name, ids, withVectors: false, vectorEncoding: 0 }),
      status.RESOURCE_EXHAUSTED,
      /ids has 11 ids; LIMIT_MAX_BATCH_SIZE/,
    );
    await expectStatus(
      call(e, e.search, { ...search, collection: name, vector: floats([1, 0, 0]), topK: 4 }),
      status.RESOURCE_EXHAUSTED,
      /top_k is 4; LIMIT_MAX_TOP_K allows at most 3/,
    );
  });

  it('limits collections per tenant', async () => {
    const e = server.embedding;
    // Two tests above created the two collections the limit allows.
    await expectStatus(createCollection(e), status.RESOURCE_EXHAUSTED, /this tenant already has \d+ collections; LIMIT_MAX_COLLECTIONS allows \d+/);
  });
});

describe(`embedding response size (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ LIMIT_MAX_RESPONSE_BYTES: String(1024 * 1024), LIMIT_MAX_INFLIGHT_RESPONSE_BYTES: String(2 * 1024 * 1024) });
  });
  after(async () => {
    await stopAndClean(server);
  });

  it('refuses a batch whose vectors alone pass LIMIT_MAX_RESPONSE_BYTES before searching, and stops one whose metadata does', async () => {
    const e = server.embedding;
    const name = await createCollection(e, { dimension: 512 });
    const metadata = { caption: 'm'.repeat(4000) };
    const many = Array.from({ length: 100 }, (_, i) => point(`big${i}`, floats(Array.from({ length: 512 }, (_, j) => ((i + j) % 7) + 1)), `c${i}`, metadata));
    for (let i = 0; i < many.length; i += 50) await call(e, e.upsert, { collection: name, points: many.slice(i, i + 50) });
    const query = { ...search, collection: name, vector: floats(Array.from({ length: 512 }, () => 1)) };
    // 100 searches × top_k 100 × 512-d vectors: 20 MiB of vectors, refused before any search runs.
    const searches = Array.from({ length: 100 }, () => ({ ...query, topK: 100, withVectors: true }));
    await expectStatus(
      call(e, e.searchBatch, { searches }),
      status.RESOURCE_EXHAUSTED,
      /SearchBatch could answer 20\.\d MiB before metadata .*at most 1\.0 MiB \(LIMIT_MAX_RESPONSE_BYTES\)/,
    );
    // Without vectors the estimate fits, but 4 KB of metadata per hit passes the limit as hits arrive.
    const light = Array.from({ length: 100 }, () => ({ ...query, topK: 100, withVectors: false }));
    await expectStatus(
      call(e, e.searchBatch, { searches: light }),
      status.RESOURCE_EXHAUSTED,
      /SearchBatch answer passed 1\.0 MiB \(LIMIT_MAX_RESPONSE_BYTES\) with its points' metadata/,
    );
    // What fits is answered.
    const answer = await call(e, e.searchBatch, { searches: light.slice(0, 2).map((s) => ({ ...s, topK: 10 })) });
    expect(answer.results.map((r) => r.hits.length)).to.deep.equal([10, 10]);
  });

  it('bounds the answers of all calls at once by LIMIT_MAX_INFLIGHT_RESPONSE_BYTES and gives every byte back', async () => {
    const e = server.embedding;
    const name = await createCollection(e, { dimension: 512 });
    const points = Array.from({ length: 100 }, (_, i) => point(`v${i}`, floats(Array.from({ length: 512 }, (_, j) => ((i * j) % 5) + 1)), `c${i}`));
    for (let i = 0; i < points.length; i += 50) await call(e, e.upsert, { collection: name, points: points.slice(i, i + 50) });
    // Each call reserves 4 × 100 × (64 B + 2 KiB of vector) ≈ 0.8 MiB of its 1 MiB; eight at once ask ≈ 6.4 MiB of 2.
    const searches = Array.from({ length: 4 }, () => ({
      ...search,
      collection: name,
      vector: floats(Array.from({ length: 512 }, () => 1)),
      topK: 100,
      withVectors: true,
    }));
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => call(e, e.searchBatch, { searches })));
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') expect(outcome.value.results.map((r) => r.hits.length)).to.deep.equal([100, 100, 100, 100]);
      else {
        expect((outcome.reason as { code?: number }).code).to.equal(status.RESOURCE_EXHAUSTED);
        // Refused when reserving (0.8 MiB) or, calls running side by side on Postgres, when charging its ids (KiB).
        expect(String(outcome.reason)).to.match(
          /SearchBatch needs [\d.]+ (KiB|MiB) more for its answer while other calls' answers hold [\d.]+ (KiB|MiB) of 2\.0 MiB \(LIMIT_MAX_INFLIGHT_RESPONSE_BYTES\): retry shortly/,
        );
      }
    }
    // Every call gave back what it took: two at once fit again (1.6 MiB of 2), whatever the burst's outcomes were.
    const after = await Promise.all([0, 1].map(() => call(e, e.searchBatch, { searches })));
    expect(after.map((a) => a.results.length)).to.deep.equal([4, 4]);
  });
});
