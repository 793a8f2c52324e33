// Read replicas (DATABASE_READ_URLS) against a real streaming standby (scripts/start-replica.sh, TEST_REPLICA_URL):
// reads served by the replica, read-your-writes, a replica stopped mid-traffic, and replicas refused at start.
// The refusals need only Postgres; the rest is skipped unless TEST_REPLICA_URL names a running standby.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { Metadata, type Client, type ServiceError, status } from '@grpc/grpc-js';
import { expect } from 'chai';
import pg from 'pg';
import type { Point } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { createLogger } from '../../src/log.js';
import { startServer } from '../../src/server.js';
import { eventually } from '../helpers/eventually.js';
import { BACKEND, call, expectStatus, startTestServer, testConfig, type TestServer } from '../helpers/server.js';
import { createCollection, floats, point, searchRequest, stopAndClean } from '../helpers/embedding.js';

/** The standby's URL pointed at the database the tests use (TEST_REPLICA_URL names the standby server). */
function replicaUrl(): string | undefined {
  const replica = process.env.TEST_REPLICA_URL;
  const primary = process.env.DATABASE_URL;
  if (!replica || !primary) return undefined;
  const url = new URL(replica);
  url.pathname = new URL(primary).pathname;
  return url.toString();
}

/** A unary call answering its response and the trailing metadata. */
function callWithTrailer<Req, Res>(
  client: Client,
  method: (
    req: Req,
    md: Metadata,
    opts: object,
    cb: (err: ServiceError | null, res: Res) => void,
  ) => { on(event: 'status', fn: (s: { metadata: Metadata }) => void): unknown },
  request: Req,
  metadata = new Metadata(),
): Promise<{ response: Res; trailer: Metadata }> {
  return new Promise((resolve, reject) => {
    let response: Res | undefined;
    let failure: ServiceError | null = null;
    const pending = method.call(client, request, metadata, { deadline: new Date(Date.now() + 60_000) }, (err, res) => {
      failure = err;
      response = res;
    });
    pending.on('status', (s) => setImmediate(() => (failure ? reject(failure) : resolve({ response: response as Res, trailer: s.metadata }))));
  });
}

/** The counts of `stakazo_db_reads_total` by target, from /metrics. */
async function readsByTarget(server: TestServer): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${server.running.httpPort}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^stakazo_db_reads_total\{target="([^"]+)"\} (\d+)/gm)) counts[match[1]] = Number(match[2]);
  return counts;
}

function replicaCount(counts: Record<string, number>): number {
  return Object.entries(counts)
    .filter(([target]) => target !== 'primary')
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Sets the standby's `recovery_min_apply_delay` (ALTER SYSTEM works on a standby), so it serves stale reads. */
async function applyDelay(value: string): Promise<void> {
  const client = new pg.Client({ connectionString: replicaUrl() });
  await client.connect();
  try {
    await client.query(`alter system set recovery_min_apply_delay = '${value}'`);
    await client.query('select pg_reload_conf()');
  } finally {
    await client.end();
  }
}

function replicaScript(action: 'start' | 'stop'): void {
  execFileSync('bash', ['scripts/start-replica.sh', action], { stdio: 'pipe' });
}

/** The error a server with `readUrls` fails to start with. */
async function startFailure(readUrls: string): Promise<Error> {
  const { config, cleanup } = testConfig({ DATABASE_READ_URLS: readUrls });
  try {
    return await startServer(config, createLogger('silent')).then(
      async (s) => {
        await s.stop();
        throw new Error('the server started');
      },
      (e: Error) => e,
    );
  } finally {
    cleanup();
  }
}

/**
 * A TCP relay to the standby that, once `holdReads` is set, keeps every client message except the router's own
 * probes (replay position, identity) to itself: to the service, a standby frozen in the middle of a read.
 */
async function holdingRelay(host: string, port: number): Promise<{ port: number; holdReads: boolean; heldChunks: number; close(): void }> {
  const PROBES = /pg_is_in_recovery|pg_control_system|current_database|pg_current_wal_lsn/;
  const sockets = new Set<net.Socket>();
  const state: { port: number; holdReads: boolean; heldChunks: number; close(): void } = { port: 0, holdReads: false, heldChunks: 0, close: () => undefined };
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    sockets.add(client).add(upstream);
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('data', (chunk) => {
      if (state.holdReads && !PROBES.test(chunk.toString('latin1'))) state.heldChunks++;
      else upstream.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as net.AddressInfo).port;
  state.close = () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  return state;
}

describe(`read replicas (${BACKEND})`, () => {
  before(function () {
    if (BACKEND !== 'postgres') this.skip();
  });

  it('refuses at start a read URL that is not a standby, naming DATABASE_READ_URLS and the reason', async () => {
    const err = await startFailure(process.env.DATABASE_URL!);
    expect(err.message).to.match(/DATABASE_READ_URLS/);
    expect(err.message).to.match(/not a standby/);
  });

  describe('with a streaming standby (TEST_REPLICA_URL)', () => {
    let server: TestServer;
    let collection: string;

    before(async function () {
      const url = replicaUrl();
      if (!url) this.skip();
      replicaScript('start');
      server = await startTestServer({ DATABASE_READ_URLS: url, READ_REFRESH_MS: '50', READ_MAX_LAG_MS: '5000' });
      collection = await createCollection(server.embedding, { dimension: 3 });
      await call(server.embedding, server.embedding.upsert, { collection, points: [point('seed', floats([1, 0, 0]))], wait: true });
    });

    after(async () => {
      if (!server) return;
      replicaScript('start');
      await stopAndClean(server);
    });

    const search = () => call(server.embedding, server.embedding.search, searchRequest(collection, { vector: floats([1, 0, 0]), topK: 5 }));

    /** Searches until the replica has served one (it must first replay the collection's creation). */
    async function replicaServes(): Promise<boolean> {
      return eventually(async () => {
        const before = replicaCount(await readsByTarget(server));
        await search();
        return replicaCount(await readsByTarget(server)) > before;
      }, 30_000);
    }

    it('refuses at start a standby URL naming another database', async () => {
      const other = new URL(replicaUrl()!);
      other.pathname = '/postgres';
      const err = await startFailure(other.toString());
      expect(err.message).to.match(/DATABASE_READ_URLS: .*points at database "postgres"/);
    });

    it('serves reads from the replica, counted per target in /metrics', async () => {
      expect(await replicaServes()).to.equal(true);
      const before = await readsByTarget(server);
      for (let i = 0; i < 20; i++) await search();
      const after = await readsByTarget(server);
      expect(replicaCount(after) - replicaCount(before)).to.be.greaterThan(0);
      expect(Object.keys(after).some((target) => target.startsWith('127.0.0.1:'))).to.equal(true);
    });

    it('answers from the primary when the standby stops answering a read (READ_TIMEOUT_MS), not at the caller’s deadline', async () => {
      const upstream = new URL(replicaUrl()!);
      const relay = await holdingRelay(upstream.hostname, Number(upstream.port));
      const viaRelay = new URL(replicaUrl()!);
      viaRelay.host = `127.0.0.1:${relay.port}`;
      const frozen = await startTestServer({ DATABASE_READ_URLS: viaRelay.toString(), READ_REFRESH_MS: '50', READ_TIMEOUT_MS: '2000' });
      try {
        const searchFrozen = () => call(frozen.embedding, frozen.embedding.search, searchRequest(collection, { vector: floats([1, 0, 0]), topK: 5 }));
        await eventually(async () => {
          await searchFrozen();
          return replicaCount(await readsByTarget(frozen)) > 0;
        }, 30_000);
        // The standby now takes the read's bytes and never answers (the replay-position probes still pass).
        relay.holdReads = true;
        const before = await readsByTarget(frozen);
        // NOTE: call() has a 60 s deadline: without a read timeout the call waited for it (DEADLINE_EXCEEDED).
        const answer = await searchFrozen();
        expect(answer.hits.map((h) => h.point?.id)).to.include('seed');
        expect((await readsByTarget(frozen)).primary ?? 0).to.be.greaterThan(before.primary ?? 0);
        expect(relay.heldChunks).to.be.greaterThan(0);
      } finally {
        await frozen.stop();
        relay.close();
      }
    });

    describe('with a replica replaying 300 ms late (recovery_min_apply_delay)', () => {
      before(() => applyDelay('300ms'));
      after(() => applyDelay('0'));

      it('a write followed at once by a read sees the write, and answers its WAL position', async () => {
        expect(await replicaServes()).to.equal(true);
        for (let i = 0; i < 25; i++) {
          const id = `w${i}`;
          const { trailer } = await callWithTrailer(server.embedding, server.embedding.upsert, {
            collection,
            points: [point(id, floats([0, 1, i]))],
            wait: true,
          });
          expect(String(trailer.get('x-stakazo-lsn')[0])).to.match(/^[0-9A-F]+\/[0-9A-F]+$/);
          const got = await call(server.embedding, server.embedding.getPoints, { collection, ids: [id], withVectors: false, vectorEncoding: 0 });
          expect(got.points.map((p: Point) => p.id)).to.deep.equal([id]);
        }
      });

      it('another service replica honours x-stakazo-min-lsn', async () => {
        const other = await startTestServer({ DATABASE_READ_URLS: replicaUrl(), READ_REFRESH_MS: '50' });
        try {
          // NOTE: the other service replica has seen no write of this tenant; only the metadata keeps it fresh.
          const searchOther = () => call(other.embedding, other.embedding.search, searchRequest(collection, { vector: floats([1, 0, 0]), topK: 5 }));
          await eventually(async () => {
            await searchOther();
            return replicaCount(await readsByTarget(other)) > 0;
          }, 30_000);
          for (let i = 0; i < 10; i++) {
            const id = `x${i}`;
            const { trailer } = await callWithTrailer(server.embedding, server.embedding.upsert, {
              collection,
              points: [point(id, floats([i, 1, 0]))],
              wait: true,
            });
            const metadata = new Metadata();
            metadata.set('x-stakazo-min-lsn', String(trailer.get('x-stakazo-lsn')[0]));
            const got = await call(other.embedding, other.embedding.getPoints, { collection, ids: [id], withVectors: false, vectorEncoding: 0 }, metadata);
            expect(got.points.map((p: Point) => p.id)).to.deep.equal([id]);
          }
          const bad = new Metadata();
          bad.set('x-stakazo-min-lsn', 'yesterday');
          await expectStatus(
            call(other.embedding, other.embedding.getPoints, { collection, ids: ['x0'], withVectors: false, vectorEncoding: 0 }, bad),
            status.INVALID_ARGUMENT,
            /x-stakazo-min-lsn/,
          );
        } finally {
          await other.stop();
        }
      });
    });

    it('stopping the replica mid-traffic fails no call; restarting it brings reads back', async () => {
      expect(await replicaServes()).to.equal(true);
      let failures = 0;
      let calls = 0;
      let running = true;
      const traffic = async () => {
        while (running) {
          calls++;
          await search().catch(() => failures++);
        }
      };
      const workers = [traffic(), traffic()];
      // NOTE: progress, not fixed times (a loaded machine makes few calls per second): traffic flows, the replica
      // stops, and reads reach the primary — with no call failing meanwhile.
      expect(await eventually(async () => calls >= 10, 60_000), 'traffic flows').to.equal(true);
      replicaScript('stop');
      const primaryBefore = (await readsByTarget(server)).primary ?? 0;
      let primaryAfter = primaryBefore;
      const callsAtStop = calls;
      expect(
        await eventually(async () => {
          primaryAfter = (await readsByTarget(server)).primary ?? 0;
          return primaryAfter > primaryBefore && calls >= callsAtStop + 20;
        }, 60_000),
        'reads reach the primary',
      ).to.equal(true);
      running = false;
      await Promise.all(workers);
      expect(failures, `${failures} of ${calls} searches failed`).to.equal(0);
      expect(primaryAfter).to.be.greaterThan(primaryBefore);

      replicaScript('start');
      expect(await replicaServes()).to.equal(true);
    });
  });
});
