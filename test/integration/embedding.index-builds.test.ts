// Deferred index builds under races and failures: two replicas asked to build the same collection (only one builds,
// both see READY, no error), a build cut off by a crash (state BUILDING with no builder: picked up again by the next
// start), DeleteCollection while a build runs, and the bulk COPY path of a stream into a collection without an index,
// observed in /metrics (stakazo_embedding_point_writes_total, stakazo_index_builds_total).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import pg from 'pg';
import { withSession } from '../../src/db/session.js';
import { hnswIndexStatement } from '../../src/embedding/collections/collection-table.sql.js';
import { IndexState } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { eventually } from '../helpers/eventually.js';
import { BACKEND, call, expectStatus, seedDataDir, startTestServer, type TestServer } from '../helpers/server.js';
import { clusteredVectors, collectionSpec, packed, point, streamMessages, upsertStream } from '../helpers/embedding.js';

const DIMENSION = 16;

/** The value of one counter series in the server's /metrics (0 when absent). */
async function counter(server: TestServer, name: string, label: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.running.httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${label}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

const outcomes = ['built', 'already_ready', 'busy', 'gone', 'failed'] as const;
async function buildOutcomes(servers: TestServer[]): Promise<Record<(typeof outcomes)[number], number>> {
  const result = Object.fromEntries(outcomes.map((o) => [o, 0])) as Record<(typeof outcomes)[number], number>;
  for (const server of servers) for (const o of outcomes) result[o] += await counter(server, 'stakazo_index_builds_total', `outcome="${o}"`);
  return result;
}

const stateOf = async (server: TestServer, name: string) => (await call(server.embedding, server.embedding.getCollection, { name })).collection!.indexState;
const ready = (server: TestServer, name: string) => eventually(async () => (await stateOf(server, name)) === IndexState.INDEX_STATE_READY, 120_000);

/** Creates a collection that never builds by itself, filled with `count` points; returns its name and table. */
async function filledCollection(server: TestServer, count: number): Promise<{ name: string; table: string }> {
  const spec = collectionSpec({ dimension: DIMENSION, indexingThreshold: 1_000_000 });
  await call(server.embedding, server.embedding.createCollection, { collection: spec });
  const vectors = clusteredVectors(count, DIMENSION, 8, 3);
  await upsertStream(
    server.embedding,
    streamMessages(
      spec.name,
      vectors.map((v, i) => point(`p${i}`, packed(v))),
      1000,
    ),
  );
  const table = await withSession(
    server.running.db,
    async (s) => (await s.query<{ t: string }>('select table_name as t from collections where name = $1', [spec.name])).rows[0]!.t,
  );
  return { name: spec.name, table };
}

/** The collection's index_state as stored in the registry. */
async function registryState(server: TestServer, name: string): Promise<string | undefined> {
  return withSession(
    server.running.db,
    async (s) => (await s.query<{ state: string }>('select index_state as state from collections where name = $1', [name])).rows[0]?.state,
  );
}

/** Whether the table's HNSW index exists and is valid (undefined: none). */
async function hnswValid(server: TestServer, table: string): Promise<boolean | undefined> {
  return withSession(
    server.running.db,
    async (s) => (await s.query<{ v: boolean }>('select indisvalid as v from pg_index where indexrelid = to_regclass($1)', [`${table}_hnsw`])).rows[0]?.v,
  );
}

/**
 * Postgres: an open write transaction on the table, so that CREATE INDEX CONCURRENTLY waits ("waiting for writers")
 * and the build is surely running while the test races it. Returns the release.
 */
async function holdWriter(server: TestServer, table: string): Promise<{ release(): Promise<void> }> {
  let holding!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const writer = withSession(server.running.db, (session) =>
    session.transaction(async () => {
      await session.query(`update ${table} set metadata = metadata where id = 'p0'`);
      holding();
      await released;
    }),
  );
  await held;
  return {
    async release() {
      release();
      await writer;
    },
  };
}

const waitingForWriters = (server: TestServer, name: string) =>
  eventually(
    async () =>
      /waiting for writers/.test((await call(server.embedding, server.embedding.getCollection, { name })).collection!.indexBuildProgress?.phase ?? ''),
    30_000,
  );

describe(`embedding index builds: replicas, crashes, deletes, bulk path (${BACKEND})`, () => {
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  /** A server on a data folder of this test (kept across a restart; removed at the end). */
  const start = async (dataDir?: string) => {
    const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'stakazo-builds-'));
    if (!dataDir) {
      dirs.push(dir);
      await seedDataDir(dir);
    }
    const server = await startTestServer({ DATA_DIR: dir });
    servers.push(server);
    return { server, dir };
  };
  after(async () => {
    for (const server of servers) await server.stop().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a stream of new points into a collection without an index takes the bulk COPY path; updates and READY collections take staging', async () => {
    const { server } = await start();
    const bulk = () => counter(server, 'stakazo_embedding_point_writes_total', 'path="bulk_copy"');
    const staging = () => counter(server, 'stakazo_embedding_point_writes_total', 'path="staging"');
    const { name } = await filledCollection(server, 3000);
    expect([await bulk(), await staging()]).to.deep.equal([3000, 0]);
    const vectors = clusteredVectors(500, DIMENSION, 8, 3);
    const again = await upsertStream(
      server.embedding,
      streamMessages(
        name,
        vectors.map((v, i) => point(`p${i}`, packed(v))),
        250,
      ),
    );
    expect(again).to.include({ insertedCount: 0, updatedCount: 500 });
    expect([await bulk(), await staging()]).to.deep.equal([3000, 500]);
    const indexed = collectionSpec({ dimension: DIMENSION, indexingThreshold: 0 });
    await call(server.embedding, server.embedding.createCollection, { collection: indexed });
    await upsertStream(
      server.embedding,
      streamMessages(
        indexed.name,
        vectors.map((v, i) => point(`q${i}`, packed(v))),
      ),
    );
    expect([await bulk(), await staging()]).to.deep.equal([3000, 1000]);
  });

  it('two replicas asked to build the same collection at once: one builds, both answer READY, no error', async () => {
    const { server: a } = await start();
    // Postgres: a second replica on the same database; PGlite (one process per folder): the same server twice.
    const b = BACKEND === 'postgres' ? (await start()).server : a;
    const { name, table } = await filledCollection(a, 2000);
    const writer = BACKEND === 'postgres' ? await holdWriter(a, table) : undefined;
    try {
      const first = await Promise.all([a, b, a, b].map((s) => call(s.embedding, s.embedding.buildIndex, { collection: name })));
      for (const answer of first) expect([IndexState.INDEX_STATE_BUILDING, IndexState.INDEX_STATE_READY]).to.include(answer.collection!.indexState);
      if (writer) {
        expect(await waitingForWriters(a, name)).to.equal(true);
        // Asked again while the build runs: still one build.
        for (const s of [b, a])
          expect((await call(s.embedding, s.embedding.buildIndex, { collection: name })).collection!.indexState).to.equal(IndexState.INDEX_STATE_BUILDING);
      }
    } finally {
      await writer?.release();
    }
    expect(await ready(a, name)).to.equal(true);
    expect(await ready(b, name)).to.equal(true);
    expect(await hnswValid(a, table)).to.equal(true);
    const seen = await buildOutcomes(BACKEND === 'postgres' ? [a, b] : [a]);
    expect(seen.built, JSON.stringify(seen)).to.equal(1);
    expect(seen.failed, JSON.stringify(seen)).to.equal(0);
  });

  it('a build cut off by a crash (BUILDING, no builder) is picked up by the next start and ends READY', async () => {
    const { server, dir } = await start();
    const { name, table } = await filledCollection(server, 1500);
    if (BACKEND === 'postgres') {
      // A real cut: the build's connection dies mid-way; the registry still says BUILDING and an INVALID index stays.
      const writer = await holdWriter(server, table);
      await call(server.embedding, server.embedding.buildIndex, { collection: name });
      expect(await waitingForWriters(server, name)).to.equal(true);
      await withSession(server.running.db, (s) =>
        s.query(`select pg_terminate_backend(pid) from pg_stat_progress_create_index where relid = to_regclass($1)`, [table]),
      );
      await writer.release();
      expect(await eventually(async () => (await buildOutcomes([server])).failed === 1, 30_000)).to.equal(true);
      expect(await hnswValid(server, table)).to.equal(false);
    } else {
      // PGlite: the process died with the registry saying BUILDING and no index.
      await withSession(server.running.db, (s) => s.query(`update collections set index_state = 'building' where name = $1`, [name]));
    }
    // NOTE: read in the registry, not by GetCollection, which would settle the cut-off build itself at once.
    expect(await registryState(server, name)).to.equal('building');
    await server.stop();
    servers.splice(servers.indexOf(server), 1);

    const { server: restarted } = await start(dir);
    expect(await ready(restarted, name)).to.equal(true);
    expect(await hnswValid(restarted, table)).to.equal(true);
    expect((await buildOutcomes([restarted])).built).to.equal(1);
  });

  it('a build whose orphaned session held the build lock past a restart ends READY or is rebuilt, seen by GetCollection', async function () {
    // NOTE: Postgres only: the orphan is a session of the killed server that Postgres runs on until it ends.
    if (BACKEND !== 'postgres') this.skip();
    const { server } = await start();
    for (const orphanFinishes of [true, false]) {
      const { name, table } = await filledCollection(server, 300);
      const orphan = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'stakazo-orphaned-build' });
      await orphan.connect();
      try {
        await orphan.query('select pg_advisory_lock(hashtextextended($1, 0))', [`stakazo-ml index ${table}`]);
        // BuildIndex (or the start-up resume) meets the orphan's lock: 'busy', the collection left BUILDING.
        await call(server.embedding, server.embedding.buildIndex, { collection: name });
        expect(await eventually(async () => (await buildOutcomes([server])).busy > 0, 30_000)).to.equal(true);
        expect(await stateOf(server, name)).to.equal(IndexState.INDEX_STATE_BUILDING);
        // The orphan finishes a valid index (or dies before), then its session ends and frees the lock.
        if (orphanFinishes)
          await orphan.query(hnswIndexStatement(table, { precision: 'float32', distance: 'cosine', hnswM: 16, hnswEfConstruction: 32 }, false));
      } finally {
        await orphan.end();
      }
      expect(await ready(server, name), `orphan finished: ${orphanFinishes}`).to.equal(true);
      expect(await hnswValid(server, table)).to.equal(true);
      expect(await registryState(server, name)).to.equal('ready');
      await server.running.services.collections.deleteCollection('default', name).catch(() => undefined);
    }
  });

  it('DeleteCollection while a build runs answers OK; the build ends quietly; the name can be created again', async () => {
    const { server } = await start();
    const { name, table } = await filledCollection(server, 2000);
    const writer = BACKEND === 'postgres' ? await holdWriter(server, table) : undefined;
    let deleted: Promise<unknown>;
    try {
      await call(server.embedding, server.embedding.buildIndex, { collection: name });
      if (writer) expect(await waitingForWriters(server, name)).to.equal(true);
      deleted = call(server.embedding, server.embedding.deleteCollection, { name }, undefined, 120_000);
      // Let the delete reach the database before the writer lets the build go on.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await writer?.release();
    }
    expect(await deleted!).to.deep.equal({ deletedPointsCount: 2000 });
    await expectStatus(call(server.embedding, server.embedding.getCollection, { name }), status.NOT_FOUND);
    expect(
      await eventually(async () => {
        const seen = await buildOutcomes([server]);
        return seen.built + seen.gone + seen.failed === 1;
      }, 60_000),
    ).to.equal(true);
    const seen = await buildOutcomes([server]);
    expect(seen.failed, JSON.stringify(seen)).to.equal(0);
    const exists = await withSession(
      server.running.db,
      async (s) => (await s.query<{ r: string | null }>('select to_regclass($1)::text as r', [table])).rows[0]!.r,
    );
    expect(exists).to.equal(null);
    await call(server.embedding, server.embedding.createCollection, {
      collection: collectionSpec({ name, dimension: DIMENSION, indexingThreshold: 1_000_000 }),
    });
    expect(await stateOf(server, name)).to.equal(IndexState.INDEX_STATE_NONE);
    await call(server.embedding, server.embedding.deleteCollection, { name });
  });
});
