// Starts a real server on 127.0.0.1:0 against the test back-end, and gives typed promise clients.
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadConfig, type Config } from '../../src/config.js';
import { EmbeddingServiceClient } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { ExperimentServiceClient } from '../../src/gen/stakazo/ml/v1/experiment.js';
import { LearningServiceClient } from '../../src/gen/stakazo/ml/v1/learning.js';
import { MetricsServiceClient } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { createLogger } from '../../src/log.js';
import { createEmbeddedDatabase } from '../../src/db/embedded-init.js';
import { startServer, type RunningServer } from '../../src/server.js';

/** Which database the tests run on: real Postgres when DATABASE_URL is set, PGlite otherwise. */
export const BACKEND: 'postgres' | 'pglite' = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export interface TestServer {
  running: RunningServer;
  address: string;
  config: Config;
  embedding: EmbeddingServiceClient;
  metrics: MetricsServiceClient;
  learning: LearningServiceClient;
  experiment: ExperimentServiceClient;
  stop(): Promise<void>;
}

/** A fresh config for tests: port 0, loopback, a temporary data dir, scheduler and model refresh off, quiet logs. */
export function testConfig(env: Record<string, string | undefined> = {}): { config: Config; cleanup(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'stakazo-test-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    HTTP_PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SCHEDULER_ENABLED: 'false',
    // NOTE: the refresh timer refreshes every tenant of the database: off, so no test changes another's models.
    MODEL_REFRESH_INTERVAL: '0',
    SHUTDOWN_GRACE_MS: '2000',
    ...env,
  });
  return { config, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/**
 * Where the migrated PGlite template is kept (STAKAZO_TEST_CACHE, default the service's own default of
 * PGLITE_TEMPLATE_DIR): the parallel workers of a run, the system tests' child processes and later runs all copy
 * the same one (src/db/embedded-init.ts makes it once, in a child process, keyed on PGlite and the migrations).
 */
export const TEMPLATE_CACHE = process.env.STAKAZO_TEST_CACHE ?? join(homedir(), '.cache', 'stakazo-ml');

/** Fills `dataDir` with a copy of the migrated template (PGlite only; Postgres needs nothing). */
export async function seedDataDir(dataDir: string): Promise<void> {
  if (BACKEND === 'pglite') await createEmbeddedDatabase(dataDir, TEMPLATE_CACHE);
}

/** Starts a server; `env` overrides settings. */
export async function startTestServer(env: Record<string, string | undefined> = {}): Promise<TestServer> {
  const { config, cleanup } = testConfig(env);
  // A DATA_DIR given by the caller (e.g. a restart on the same data) is used as it is, never overwritten.
  if (!env.DATA_DIR) await seedDataDir(config.dataDir);
  const running = await startServer(config, createLogger(config.logLevel));
  const address = `127.0.0.1:${running.port}`;
  const creds: ChannelCredentials = credentials.createInsecure();
  const opts = { 'grpc.max_receive_message_length': 64 * 1024 * 1024 };
  const embedding = new EmbeddingServiceClient(address, creds, opts);
  const metrics = new MetricsServiceClient(address, creds, opts);
  const learning = new LearningServiceClient(address, creds, opts);
  const experiment = new ExperimentServiceClient(address, creds, opts);
  return {
    running,
    address,
    config,
    embedding,
    metrics,
    learning,
    experiment,
    async stop() {
      for (const c of [embedding, metrics, learning, experiment] as Client[]) c.close();
      await running.stop();
      cleanup();
    },
  };
}

let shared: Promise<TestServer> | undefined;

/**
 * One server with default settings per test process, shared by the files that need nothing special: a server
 * takes seconds to start (a fresh PGlite database), so files share it and isolate their data by names or tenants.
 * It lives as long as the process (a mocha worker runs many files); its data folder goes when the process exits.
 */
export function sharedServer(): Promise<TestServer> {
  shared ??= startTestServer().then((server) => {
    process.once('exit', () => rmSync(server.config.dataDir, { recursive: true, force: true }));
    return server;
  });
  return shared;
}

/** The shared server if this process started it, else undefined. */
export function sharedServerIfStarted(): Promise<TestServer | undefined> {
  return shared ?? Promise.resolve(undefined);
}

/** Calls a unary method of a ts-proto client and returns a promise (metadata, then a deadline of 60 s by default). */
export { unaryCall as call } from '../../src/client-calls.js';

/** Awaits a promise expected to fail with a gRPC status; returns the error. */
export async function expectStatus(promise: Promise<unknown>, code: number, messagePattern?: RegExp): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    const e = err as ServiceError;
    if (e.code !== code) throw new Error(`expected status ${code}, got ${e.code}: ${e.details ?? e.message}`);
    if (messagePattern && !messagePattern.test(e.details)) throw new Error(`status message "${e.details}" does not match ${messagePattern}`);
    return e;
  }
  throw new Error(`expected status ${code}, but the call succeeded`);
}

/** A short random prefix so tests sharing a database never collide. */
export function uniq(prefix = 't'): string {
  return `${prefix}${Math.random().toString(36).slice(2, 10)}`;
}

/** Call metadata carrying `authorization: Bearer <token>`. */
export function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}
