// One knex instance for both back-ends: real Postgres (DATABASE_URL) or embedded PGlite (DATA_DIR).
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import knexPkg, { type Knex } from 'knex';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import ClientPgLite from 'knex-pglite';
import type { PgliteConfig } from '../config.js';
import type { Logger } from '../log.js';
import { backendCanceller } from './cancel.js';
import { createEmbeddedDatabase, holdsDatabase } from './embedded-init.js';
import { withServerSettings } from './server-settings.js';
import { lockDataFolder } from './folder-lock.js';
import { embeddedLiveness, postgresLiveness, type RunnerLiveness } from './runner-liveness.js';
import { ReadReplicas } from './read-replicas.js';

const { knex } = knexPkg;

// NOTE: bigint (int8) and numeric come back as strings by default; counts in this service fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export type DbKind = 'postgres' | 'pglite';

/** An open database: the knex instance, which back-end it is, and how to close it. */
export interface Db {
  knex: Knex;
  kind: DbKind;
  /** The PGlite instance when embedded (used for COPY FROM '/dev/blob'). */
  pglite?: PGlite;
  close(): Promise<void>;
  /**
   * Postgres only: asks Postgres to cancel the statement running on backend `pid`, over a connection of its own.
   * NOTE: not through the pool, which may be exhausted by the very call being cancelled.
   */
  cancelBackend?(pid: number): Promise<void>;
  /** Postgres with DATABASE_READ_URLS: the read replicas read-only calls are routed to (src/db/session.ts). */
  reads?: ReadReplicas;
  /** This process as the owner of long work (learning runs), and whether other owners still live. */
  runners: RunnerLiveness;
}

export interface DbOptions {
  databaseUrl?: string;
  dataDir: string;
  poolMax?: number;
  /** Milliseconds to wait for a free pooled connection before failing with UNAVAILABLE. */
  acquireTimeoutMs?: number;
  /** Read replicas of `databaseUrl` (DATABASE_READ_URLS); ignored on PGlite. */
  readUrls?: string[];
  /** A replica further behind than this serves no reads (READ_MAX_LAG_MS). */
  readMaxLagMs?: number;
  /** How often the replicas' positions are read (READ_REFRESH_MS). */
  readRefreshMs?: number;
  /** A statement on a replica not answered after this long is answered by the primary (READ_TIMEOUT_MS); 0 = none. */
  readTimeoutMs?: number;
  /** Where knex's own warnings go (structured); without it knex prints them to the console. */
  log?: Logger;
  /** The embedded database's memory; PGlite's own defaults (shared_buffers 128MB) when absent. */
  pglite?: PgliteConfig;
}

/** PGlite's options for the memory settings: its start parameters plus ours, and its initial WebAssembly memory. */
function pgliteMemoryOptions(settings: PgliteConfig | undefined) {
  if (!settings) return {};
  const set = (name: string, value: string) => ['-c', `${name}=${value}`];
  return {
    initialMemory: settings.initialMemoryMb * 1024 * 1024,
    startParams: [
      ...PGlite.defaultStartParams,
      ...set('shared_buffers', settings.sharedBuffers),
      ...set('work_mem', settings.workMem),
      ...set('maintenance_work_mem', settings.maintenanceWorkMem),
    ],
  };
}

/** PGlite did not start: one line with the reason and the memory settings it started with. */
function pgliteStartError(err: unknown, dir: string, settings: PgliteConfig | undefined): Error {
  const reason = String((err as Error)?.message ?? err).split('\n')[0];
  if (!settings) return new Error(`the embedded database in DATA_DIR (${dir}) did not start: ${reason}`);
  return new Error(
    `the embedded database in DATA_DIR (${dir}) did not start (${reason}) with PGLITE_SHARED_BUFFERS=${settings.sharedBuffers}, ` +
      `PGLITE_WORK_MEM=${settings.workMem}, PGLITE_MAINTENANCE_WORK_MEM=${settings.maintenanceWorkMem}, ` +
      `PGLITE_INITIAL_MEMORY_MB=${settings.initialMemoryMb}: lower PGLITE_SHARED_BUFFERS or PGLITE_INITIAL_MEMORY_MB, or free memory`,
  );
}

/**
 * knex's logger hooks sending its messages to our logger: the first line as the message, the rest (often a stack)
 * as a field. NOTE: knex warns on every failed pool acquire and on connections lost to a restarted Postgres; the
 * caller already gets a status for those, so they are warnings, not errors.
 */
function knexLog(log: Logger): Knex.Config['log'] {
  const at = (level: 'warn' | 'error') => (message: unknown) => {
    const text = String(message);
    const newline = text.indexOf('\n');
    if (newline < 0) log[level]({ source: 'knex' }, text);
    else log[level]({ source: 'knex', detail: text.slice(newline + 1) }, text.slice(0, newline));
  };
  return {
    warn: at('warn'),
    error: at('error'),
    deprecate: (method, alternative) => log.warn({ source: 'knex', method, alternative }, 'knex deprecation'),
    debug: (message) => log.debug({ source: 'knex', detail: String(message) }, 'knex debug'),
  };
}

/**
 * Makes the embedded database private to its user: the data folder 0700, everything in it 0600 (files) or 0700
 * (folders), also what an older version made readable. NOTE: PGlite's file system layer creates files 0666 whatever
 * the umask; the folder's own 0700 keeps them unreachable meanwhile, and they are narrowed again at each open and
 * close.
 */
function keepPrivate(path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat || stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
    for (const name of readdirSync(path)) keepPrivate(join(path, name));
  } else if ((stat.mode & 0o077) !== 0) {
    chmodSync(path, stat.mode & 0o700);
  }
}

/** Opens the database described by the options; does not migrate. */
export async function openDb(options: DbOptions): Promise<Db> {
  const logOption = options.log ? { log: knexLog(options.log) } : {};
  if (options.databaseUrl) {
    const instance = knex({
      client: 'pg',
      connection: { ...withServerSettings(options.databaseUrl), application_name: 'stakazo-ml' },
      pool: { min: 0, max: options.poolMax ?? 10, idleTimeoutMillis: 30_000 },
      acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
      ...logOption,
    });
    const cancelBackend = backendCanceller(options.databaseUrl);
    const runners = postgresLiveness(options.databaseUrl);
    if (!options.readUrls?.length) {
      const close = async () => {
        await runners.close();
        await instance.destroy();
      };
      return { knex: instance, kind: 'postgres', close, cancelBackend, runners };
    }
    const reads = new ReadReplicas(instance, {
      urls: options.readUrls,
      maxLagMs: options.readMaxLagMs ?? 5000,
      refreshMs: options.readRefreshMs ?? 100,
      readTimeoutMs: options.readTimeoutMs ?? 10_000,
      poolMax: options.poolMax ?? 10,
      acquireTimeoutMs: options.acquireTimeoutMs ?? 10_000,
      log: options.log,
    });
    const close = async () => {
      await runners.close();
      await reads.close();
      await instance.destroy();
    };
    return { knex: instance, kind: 'postgres', close, cancelBackend, reads, runners };
  }
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  keepPrivate(dir);
  const lock = lockDataFolder(dir);
  let pglite: PGlite;
  try {
    // NOTE: a new folder is a copy of a migrated template made by a child process (src/db/embedded-init.ts): this
    // process never runs initdb, whose memory it would keep.
    if (!holdsDatabase(dir)) {
      await createEmbeddedDatabase(dir, options.pglite?.templateDir);
      keepPrivate(dir);
    }
    pglite = await PGlite.create({ dataDir: dir, extensions: { vector }, ...pgliteMemoryOptions(options.pglite) });
  } catch (err) {
    lock.release();
    throw pgliteStartError(err, dir, options.pglite);
  }
  const instance = knex({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
    // NOTE: PGlite has one connection shared by every call, so waiting for it is normal, not exhaustion.
    acquireConnectionTimeout: Math.max(options.acquireTimeoutMs ?? 0, 60_000),
    ...logOption,
  });
  const close = async () => {
    try {
      await instance.destroy();
      keepPrivate(dir);
    } finally {
      lock.release();
    }
  };
  return { knex: instance, kind: 'pglite', pglite, close, runners: embeddedLiveness() };
}

/** Checks that the database answers, naming DATABASE_URL or DATA_DIR when it does not. */
export async function assertReachable(db: Db, options: DbOptions): Promise<void> {
  try {
    await db.knex.raw('select 1');
  } catch (err) {
    const where = options.databaseUrl ? `DATABASE_URL (${redact(options.databaseUrl)})` : `DATA_DIR (${options.dataDir})`;
    throw new Error(`cannot reach the database at ${where}: ${(err as Error).message}`);
  }
}

/** The URL without its password, for logs and errors. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
