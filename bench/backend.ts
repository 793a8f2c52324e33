// Starts the real server on one back-end and opens a direct connection for the baselines (pg, or the same
// PGlite instance), plus typed gRPC clients.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { startServer, type RunningServer } from '../src/server.js';
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
  running: RunningServer;
  address: string;
  embedding: EmbeddingServiceClient;
  metrics: MetricsServiceClient;
  learning: LearningServiceClient;
  direct: DirectSql;
  /** Versions of the database and pgvector. */
  versions: { database: string; pgvector: string };
  stop(): Promise<void>;
}

export const CLIENT_OPTIONS = { 'grpc.enable_channelz': 0, 'grpc.max_receive_message_length': 64 * 1024 * 1024, 'grpc.max_send_message_length': 64 * 1024 * 1024 };

/** Creates the database of the URL when it does not exist (connecting to the `postgres` database). */
async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
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

function pgliteDirect(running: RunningServer): DirectSql {
  const pglite = running.db.pglite!;
  return {
    query: async <Row>(sql: string, params?: unknown[]) => (await pglite.query<Row>(sql, params)).rows,
    copyFrom: async (sql, data) => {
      await pglite.query(sql.replace(/\bfrom\s+stdin\b/i, "FROM '/dev/blob'"), [], { blob: new Blob([data as Uint8Array<ArrayBuffer>]) });
    },
    close: async () => undefined,
  };
}

/**
 * Starts the server on `name`. Postgres: the database is created if missing; the bench namespaces what it
 * writes, but its learning run reads the whole tenant, so point DATABASE_URL at a database of its own.
 */
export async function startBackend(name: BackendName, databaseUrl: string = DEFAULT_DATABASE_URL): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stakazo-bench-'));
  if (name === 'postgres') await ensureDatabase(databaseUrl);
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    HTTP_PORT: 'off',
    DATA_DIR: dataDir,
    DATABASE_URL: name === 'postgres' ? databaseUrl : undefined,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    SCHEDULER_ENABLED: 'false',
    SHUTDOWN_GRACE_MS: '2000',
    LIMIT_MAX_COLLECTIONS: '1000',
  });
  const running = await startServer(config, createLogger(config.logLevel));
  const address = `127.0.0.1:${running.port}`;
  const insecure = credentials.createInsecure();
  const embedding = new EmbeddingServiceClient(address, insecure, CLIENT_OPTIONS);
  const metrics = new MetricsServiceClient(address, insecure, CLIENT_OPTIONS);
  const learning = new LearningServiceClient(address, insecure, CLIENT_OPTIONS);
  const direct = name === 'postgres' ? await pgDirect(databaseUrl) : pgliteDirect(running);
  const [versionRow] = await direct.query<{ server_version: string; pgvector: string | null }>(
    `select current_setting('server_version') as server_version, (select extversion from pg_extension where extname = 'vector') as pgvector`,
  );
  return {
    name,
    running,
    address,
    embedding,
    metrics,
    learning,
    direct,
    versions: { database: `PostgreSQL ${versionRow!.server_version}${name === 'pglite' ? ' (PGlite)' : ''}`, pgvector: versionRow!.pgvector ?? 'none' },
    async stop() {
      embedding.close();
      metrics.close();
      learning.close();
      await direct.close();
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
