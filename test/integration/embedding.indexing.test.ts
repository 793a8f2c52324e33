// Deferred indexing over gRPC: no HNSW index below the threshold (searches exact), a background build when the
// threshold is reached or BuildIndex asks, READY afterwards, and an INVALID index left by a killed build detected,
// dropped and rebuilt.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { withSession } from '../../src/db/session.js';
import { IndexState, type Collection } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { eventually } from '../helpers/eventually.js';
import { BACKEND, call, expectStatus, uniq, type TestServer } from '../helpers/server.js';
import {
  clusteredVectors,
  createCollection,
  exactNearest,
  packed,
  point,
  searchRequest,
  sharedServer,
  streamMessages,
  upsertStream,
} from '../helpers/embedding.js';

const DIMENSION = 16;

describe(`embedding deferred indexing (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await sharedServer();
  });

  const get = async (name: string): Promise<Collection> => (await call(server.embedding, server.embedding.getCollection, { name })).collection!;
  /** Whether the collection's HNSW index exists and is valid: undefined (none), true or false (INVALID). */
  const hnswIndex = async (name: string) => {
    const [row] = await withSession(server.running.db, async (session) => {
      const table = await session.query<{ table_name: string }>('select table_name from collections where name = $1', [name]);
      const index = `${table.rows[0]!.table_name}_hnsw`;
      return (await session.query<{ valid: boolean }>('select indisvalid as valid from pg_index where indexrelid = to_regclass($1)', [index])).rows;
    });
    return row?.valid;
  };
  const ready = (name: string) => eventually(async () => (await get(name)).indexState === IndexState.INDEX_STATE_READY, 60_000);

  it('keeps no index below the threshold (exact searches), builds it in the background once the threshold is reached', async () => {
    const e = server.embedding;
    const name = await createCollection(e, { dimension: DIMENSION, indexingThreshold: 300 });
    const created = await get(name);
    expect(created).to.include({ indexState: IndexState.INDEX_STATE_NONE, indexingThreshold: 300 });
    expect(await hnswIndex(name)).to.equal(undefined);

    const vectors = clusteredVectors(400, DIMENSION, 8, 5);
    const ids = vectors.map((_, i) => `p${i}`);
    const points = vectors.map((v, i) => point(ids[i]!, packed(v)));
    await upsertStream(e, streamMessages(name, points.slice(0, 299)));
    expect((await get(name)).indexState).to.equal(IndexState.INDEX_STATE_NONE);
    // Without an index every search is exact, approximate or not.
    const query = clusteredVectors(1, DIMENSION, 8, 77)[0]!;
    const truth = exactNearest(query, ids.slice(0, 299), vectors.slice(0, 299), 10);
    const hits = await call(e, e.search, searchRequest(name, { vector: packed(query) }));
    expect(hits.hits.map((h) => h.point!.id)).to.deep.equal(truth);

    // The point that reaches the threshold starts the build; later writes are kept and indexed.
    await call(e, e.upsert, { collection: name, points: points.slice(299, 300) });
    await call(e, e.upsert, { collection: name, points: points.slice(300) });
    expect(await ready(name)).to.equal(true);
    expect(await hnswIndex(name)).to.equal(true);
    const after = await get(name);
    expect(after).to.include({ pointCount: 400, indexingThreshold: 300 });
    expect(after.indexBuildProgress).to.equal(undefined);
    const all = await call(e, e.search, searchRequest(name, { vector: packed(query), exact: true }));
    expect(all.hits.map((h) => h.point!.id)).to.deep.equal(exactNearest(query, ids, vectors, 10));
  });

  it('BuildIndex builds below the threshold, and on a READY collection only returns it', async () => {
    const e = server.embedding;
    const name = await createCollection(e, { dimension: DIMENSION, indexingThreshold: 1_000_000 });
    const vectors = clusteredVectors(50, DIMENSION, 4, 9);
    await call(e, e.upsert, { collection: name, points: vectors.map((v, i) => point(`p${i}`, packed(v))) });
    const started = await call(e, e.buildIndex, { collection: name });
    expect([IndexState.INDEX_STATE_BUILDING, IndexState.INDEX_STATE_READY]).to.include(started.collection!.indexState);
    expect(await ready(name)).to.equal(true);
    expect(await hnswIndex(name)).to.equal(true);
    const again = await call(e, e.buildIndex, { collection: name });
    expect(again.collection).to.include({ name, indexState: IndexState.INDEX_STATE_READY, pointCount: 50 });
    await expectStatus(call(e, e.buildIndex, { collection: uniq('nope') }), status.NOT_FOUND, /collection "nope\w+" not found/);
    await expectStatus(call(e, e.buildIndex, { collection: 'Bad Name' }), status.INVALID_ARGUMENT, /not a valid name/);
  });

  it('an index built from the start is READY at once; a threshold out of range is refused', async () => {
    const e = server.embedding;
    const name = await createCollection(e, { dimension: DIMENSION, indexingThreshold: 0 });
    expect(await get(name)).to.include({ indexState: IndexState.INDEX_STATE_READY, indexingThreshold: 0 });
    expect(await hnswIndex(name)).to.equal(true);
    await expectStatus(
      createCollection(e, { dimension: DIMENSION, indexingThreshold: 3_000_000_000 }),
      status.INVALID_ARGUMENT,
      /collection.indexing_threshold is 3000000000; use 0 \(index at once\)/,
    );
  });

  it('detects an INVALID index left by a killed build, drops it and builds again', async () => {
    const e = server.embedding;
    const name = await createCollection(e, { dimension: DIMENSION, indexingThreshold: 1_000_000 });
    const vectors = clusteredVectors(40, DIMENSION, 4, 13);
    await call(e, e.upsert, { collection: name, points: vectors.map((v, i) => point(`p${i}`, packed(v))) });
    // What a build killed mid-way leaves: the index exists, marked invalid, and the registry says building.
    await withSession(server.running.db, async (session) => {
      const table = (await session.query<{ table_name: string }>('select table_name from collections where name = $1', [name])).rows[0]!.table_name;
      await session.query(`create index ${table}_hnsw on ${table} using hnsw (embedding vector_cosine_ops)`);
      await session.query('update pg_index set indisvalid = false where indexrelid = to_regclass($1)', [`${table}_hnsw`]);
      await session.query(`update collections set index_state = 'building' where name = $1`, [name]);
    });
    expect(await hnswIndex(name)).to.equal(false);
    expect((await get(name)).indexState).to.equal(IndexState.INDEX_STATE_BUILDING);
    // BuildIndex (or a restart, which resumes every cut-off build) finds no build holding the lock and rebuilds.
    await call(e, e.buildIndex, { collection: name });
    expect(await ready(name)).to.equal(true);
    expect(await hnswIndex(name)).to.equal(true);
  });

  it('loads a collection without an index by COPY; re-sent and overlapping points still count as updates', async () => {
    const e = server.embedding;
    const name = await createCollection(e, { dimension: DIMENSION, indexingThreshold: 1_000_000 });
    const vectors = clusteredVectors(600, DIMENSION, 6, 21);
    const points = vectors.map((v, i) => point(`p${i}`, packed(v), `c${i}`, { version: 1 }));
    const first = await upsertStream(e, streamMessages(name, points.slice(0, 500)));
    expect(first).to.include({ insertedCount: 500, updatedCount: 0, rejectedCount: 0 });
    const again = await upsertStream(e, streamMessages(name, points.slice(0, 500)));
    expect(again).to.include({ insertedCount: 0, updatedCount: 500 });
    const newer = points.slice(450, 600).map((p) => ({ ...p, metadata: { version: 2 } }));
    const overlapping = await upsertStream(e, streamMessages(name, newer));
    expect(overlapping).to.include({ insertedCount: 100, updatedCount: 50 });
    expect((await get(name)).pointCount).to.equal(600);
    const read = await call(e, e.getPoints, { collection: name, ids: ['p0', 'p460', 'p599'], withVectors: false, vectorEncoding: 0 });
    expect(read.points.map((p) => [p.id, p.metadata])).to.deep.equal([
      ['p0', { version: 1 }],
      ['p460', { version: 2 }],
      ['p599', { version: 2 }],
    ]);
    expect((await get(name)).indexState).to.equal(IndexState.INDEX_STATE_NONE);
  });

  it('while a build runs: BUILDING with its progress, and searches exact (Postgres: a writer holds the build back)', async function () {
    if (BACKEND !== 'postgres') this.skip(); // PGlite builds on its single connection: nothing runs beside a build
    const e = server.embedding;
    const name = await createCollection(e, { dimension: DIMENSION, indexingThreshold: 1_000_000 });
    const vectors = clusteredVectors(300, DIMENSION, 6, 31);
    const ids = vectors.map((_, i) => `p${i}`);
    await upsertStream(
      e,
      streamMessages(
        name,
        vectors.map((v, i) => point(ids[i]!, packed(v))),
      ),
    );
    // An open write transaction on the table: CREATE INDEX CONCURRENTLY waits for it before building.
    let holding!: () => void;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const writer = withSession(server.running.db, (session) =>
      session.transaction(async () => {
        const table = (await session.query<{ table_name: string }>('select table_name from collections where name = $1', [name])).rows[0]!.table_name;
        await session.query(`update ${table} set metadata = metadata where id = 'p0'`);
        holding();
        await released;
      }),
    );
    try {
      await held;
      expect((await call(e, e.buildIndex, { collection: name })).collection!.indexState).to.equal(IndexState.INDEX_STATE_BUILDING);
      const waiting = await eventually(async () => /waiting for writers/.test((await get(name)).indexBuildProgress?.phase ?? ''), 30_000);
      expect(waiting).to.equal(true);
      expect((await get(name)).indexState).to.equal(IndexState.INDEX_STATE_BUILDING);
      for (const query of clusteredVectors(5, DIMENSION, 6, 41)) {
        const hits = await call(e, e.search, searchRequest(name, { vector: packed(query) }));
        expect(hits.hits.map((h) => h.point!.id)).to.deep.equal(exactNearest(query, ids, vectors, 10));
      }
    } finally {
      release();
      await writer;
    }
    expect(await ready(name)).to.equal(true);
    expect(await hnswIndex(name)).to.equal(true);
    expect((await get(name)).indexBuildProgress).to.equal(undefined);
  });
});
