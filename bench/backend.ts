// Starts the real server on one back-end and opens a direct connection for the baselines (pg, or the same
// PGlite instance), plus typed gRPC clients.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { credentials } from '@grpc/grpc-js';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../src/config.js';
import { EmbeddingServiceClient } from '../src/gen/stakazo/ml/v1/embedding.js';
import { LearningServiceClient } from '../src/gen/stakazo/ml/v1/learning.js';
import { MetricsServiceClient } from '../src/gen/stakazo/ml/v1/metrics.js';
import { createLogger } from '../src/log.js';
import { startServer } from '../src/server.js';
import { openDb, type Db } from '../src/db/connect.js';
import { DEFAULT_DATABASE_URL, type BackendName } from './options.js';

/** SQL sent straight to the database, without the service: the baselines. */
export interface DirectSql {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** `COPY … FROM STDIN (format binary)` fed with `data`. */
  copyFrom(sql: string, data: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface Backend {
  name: BackendName;
  /** A database handle of the bench's own for set-up writes (the server's own on PGlite, where it is in-process). */
  db: Db;
  address: string;
  embedding: EmbeddingServiceClient;
  metrics: MetricsServiceClient;
  learning: LearningServiceClient;
  direct: DirectSql;
  /** The database URL the server uses (Postgres only). */
  databaseUrl?: string;
  /** Versions of the database and pgvector. */
  versions: { database: string; pgvector: string };
  stop(): Promise<void>;
}

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');

export const CLIENT_OPTIONS = {
  'grpc.enable_channelz': 0,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

/** Creates the database of the URL when it does not exist (connecting to the `postgres` database). */
export async function ensureDatabase(url: string, options: { fresh?: boolean } = {}): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const quoted = `"${name.replace(/"/g, '""')}"`;
    if (options.fresh) await client.query(`drop database if exists ${quoted} with (force)`);
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${quoted}`);
  } finally {
    await client.end();
  }
}

async function pgDirect(url: string): Promise<DirectSql> {
  const client = new pg.Client({ connectionString: url, application_name: 'stakazo-bench-direct' });
  await client.connect();
  return {
    query: async (sql, params) => (await client.query(sql, params)).rows,
    copyFrom: (sql, data) => pipeline(Readable.from([data]), client.query(copyFrom(sql))),
    close: () => client.end(),
  };
}

function pgliteDirect(db: Db): DirectSql {
  const pglite = db.pglite!;
  return {
    query: async <Row>(sql: string, params?: unknown[]) => (await pglite.query<Row>(sql, params)).rows,
    copyFrom: async (sql, data) => {
      await pglite.query(sql.replace(/\bfrom\s+stdin\b/i, "FROM '/dev/blob'"), [], { blob: new Blob([data as Uint8Array<ArrayBuffer>]) });
    },
    close: async () => undefined,
  };
}

/** A server process of the bench's. */
export interface ServerProcess {
  pid: number;
  port: number;
  /** The whole "serving" line the process printed (a process may announce more than its port). */
  serving: Record<string, unknown>;
  /** Milliseconds from spawning the process to its "serving" log line (health SERVING). */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * The service started as its own process, as deployed; resolves once it serves. `entry`: what node runs (default
 * the TypeScript sources through tsx; the footprint measures run the compiled build, as `npm start` does).
 */
export async function startServerProcess(env: Record<string, string>, entry = ['--import', 'tsx', MAIN]): Promise<ServerProcess> {
  // BENCH_SERVER_NODE_ARGS: extra Node options for the server process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, ...entry], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  // A bench that dies must not leave its server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const serving = await new Promise<{ port: number } & Record<string, unknown>>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number } & Record<string, unknown>;
          if (entry.msg === 'serving' && entry.port) resolve(entry as { port: number } & Record<string, unknown>);
        } catch {
          // not a log line
        }
      }
    });
    exited.then(([code]) => reject(new Error(`the server process exited with ${code} before serving`)), reject);
  });
  child.stdout!.resume();
  return {
    pid: child.pid!,
    port: serving.port,
    serving,
    startMs: performance.now() - started,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The environment of the service's process in the bench (besides its port and database). */
export function serverEnv(dataDir: string): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    HTTP_PORT: 'off',
    DATA_DIR: dataDir,
    SCHEDULER_ENABLED: 'false',
    MODEL_REFRESH_INTERVAL: '0',
    SHUTDOWN_GRACE_MS: '2000',
    LIMIT_MAX_COLLECTIONS: '1000',
  };
}

/**
 * Starts the server on `name`. Postgres: the database is created if missing (the default one afresh), and the server runs as a process of
 * its own, as deployed (client and server then do not share one event loop); the bench namespaces what it
 * writes, but its learning run reads the whole tenant, so point DATABASE_URL at a database of its own.
 */
export async function startBackend(name: BackendName, databaseUrl: string = DEFAULT_DATABASE_URL): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stakazo-bench-'));
  // NOTE: the bench's own database starts empty each run, so what a run measures (the learning run over its day
  // above all) reads that run's data, not every earlier run's; a DATABASE_URL of the caller's is never dropped.
  if (name === 'postgres') await ensureDatabase(databaseUrl, { fresh: databaseUrl === DEFAULT_DATABASE_URL });
  const env = serverEnv(dataDir);
  let server: Pick<ServerProcess, 'port' | 'stop'>;
  let db: Db;
  if (name === 'postgres') {
    server = await startServerProcess({ ...env, PORT: String(await freePort()), DATABASE_URL: databaseUrl });
    db = await openDb({ databaseUrl, dataDir, poolMax: 2 });
  } else {
    const config = loadConfig({ ...env, PORT: '0', DATABASE_URL: undefined, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent' });
    const running = await startServer(config, createLogger(config.logLevel));
    server = running;
    db = running.db;
  }
  const address = `127.0.0.1:${server.port}`;
  const insecure = credentials.createInsecure();
  const embedding = new EmbeddingServiceClient(address, insecure, CLIENT_OPTIONS);
  const metrics = new MetricsServiceClient(address, insecure, CLIENT_OPTIONS);
  const learning = new LearningServiceClient(address, insecure, CLIENT_OPTIONS);
  const direct = name === 'postgres' ? await pgDirect(databaseUrl) : pgliteDirect(db);
  const [versionRow] = await direct.query<{ server_version: string; pgvector: string | null }>(
    `select current_setting('server_version') as server_version, (select extversion from pg_extension where extname = 'vector') as pgvector`,
  );
  return {
    name,
    db,
    address,
    embedding,
    metrics,
    learning,
    direct,
    databaseUrl: name === 'postgres' ? databaseUrl : undefined,
    versions: { database: `PostgreSQL ${versionRow!.server_version}${name === 'pglite' ? ' (PGlite)' : ''}`, pgvector: versionRow!.pgvector ?? 'none' },
    async stop() {
      embedding.close();
      metrics.close();
      learning.close();
      await direct.close();
      if (name === 'postgres') await db.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A TCP port free on the loopback right now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
