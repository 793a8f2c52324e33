// A raw connection taken from knex's pool, for hot paths: binary COPY and multi-statement transactions
// without the query builder. Works the same on pg and PGlite.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import type { PGlite } from '@electric-sql/pglite';
import type { Db } from './connect.js';
import { throwIfStopped } from '../domain/deadline.js';
import { parseLsn } from './lsn.js';
import type { Replica } from './read-replicas.js';
import { currentScope, type WorkScope } from './work-scope.js';

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** One database connection, held for the duration of a callback. */
export interface Session {
  /** Runs one SQL statement with $1… parameters. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /**
   * Runs `COPY … FROM STDIN …` feeding it `data` (text or binary COPY format, matching the statement).
   * NOTE: on PGlite, which has no STDIN, the statement is rewritten to read FROM '/dev/blob'.
   */
  copyFrom(sql: string, data: Buffer): Promise<void>;
  /**
   * Makes the connection's settings (GUCs) hold `wanted`, with `set_config(…, false)` for the session, in one
   * round trip and only for the values that differ from what this connection was last set to: none, once the
   * pooled connection has served the same kind of call before. Only for settings that change nothing but the
   * statements that want them (e.g. `hnsw.ef_search`, read only by HNSW index scans), since they stay on the
   * connection after it goes back to the pool. Not inside a transaction: a rollback would undo them unseen.
   */
  useSettings(wanted: Readonly<Record<string, string>>): Promise<void>;
  /** Sets `wanted` for the current transaction only (`set_config(…, true)`, SET LOCAL); always one round trip. */
  useLocalSettings(wanted: Readonly<Record<string, string>>): Promise<void>;
  /** Runs `fn` inside BEGIN … COMMIT on this connection; rolls back if it throws. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Whether a Buffer parameter reaches the type's binary input function (pg sends Buffers in binary format), so
   * that e.g. `$1::vector` can take pgvector's binary form; PGlite's driver sends every parameter as text.
   */
  readonly binaryParams: boolean;
}

/** What each pooled connection's settings were last set to (keyed by the driver's connection object). */
const connectionSettings = new WeakMap<object, Map<string, string>>();

/** `select set_config($1, $2, local), …` for the settings. */
export function setConfigStatement(settings: ReadonlyArray<readonly [string, string]>, local: boolean): { sql: string; params: string[] } {
  const calls = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, ${local})`);
  return { sql: `select ${calls.join(', ')}`, params: settings.flat() };
}

/**
 * The common part of both drivers' sessions: settings and transactions over `query`. `connection` is the driver's
 * connection object, the key under which its session settings are remembered.
 */
function sessionOn(connection: object, base: Pick<Session, 'query' | 'copyFrom' | 'binaryParams'>): Session {
  let inTransaction = false;
  const session: Session = {
    ...base,
    async useSettings(wanted) {
      const current = connectionSettings.get(connection);
      const changed = Object.entries(wanted).filter(([name, value]) => current?.get(name) !== value);
      if (changed.length === 0) return;
      if (inTransaction) throw new Error('useSettings inside a transaction: a rollback would undo the settings unseen');
      // NOTE: forgotten before the statement and recorded only after it: a failure or cancel in between leaves the
      // settings unknown, so the next use sets them all again rather than trusting a stale record.
      connectionSettings.delete(connection);
      const statement = setConfigStatement(changed, false);
      await session.query(statement.sql, statement.params);
      connectionSettings.set(connection, new Map([...(current ?? []), ...changed]));
    },
    async useLocalSettings(wanted) {
      if (!inTransaction) throw new Error('useLocalSettings outside a transaction: the settings would end with the statement');
      const statement = setConfigStatement(Object.entries(wanted), true);
      await session.query(statement.sql, statement.params);
    },
    async transaction(fn) {
      await session.query('begin');
      inTransaction = true;
      try {
        const result = await fn();
        await session.query('commit');
        return result;
      } catch (err) {
        await session.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        inTransaction = false;
      }
    },
  };
  return session;
}

function pgSession(client: pg.PoolClient | pg.Client, trace?: (stage: string) => void): Session {
  return sessionOn(client, {
    async query<Row>(sql: string, params?: unknown[]) {
      trace?.('query.sent');
      const r = await client.query(sql, params);
      trace?.('query.done');
      return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
    },
    async copyFrom(sql: string, data: Buffer) {
      await pipeline(Readable.from([data]), client.query(copyFromStream(sql)));
    },
    binaryParams: true,
  });
}

function pgliteSession(pglite: PGlite, trace?: (stage: string) => void): Session {
  return sessionOn(pglite, {
    async query<Row>(sql: string, params?: unknown[]) {
      trace?.('query.sent');
      const r = await pglite.query<Row>(sql, params);
      trace?.('query.done');
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async copyFrom(sql: string, data: Buffer) {
      const blobSql = sql.replace(/\bfrom\s+stdin\b/i, "FROM '/dev/blob'");
      await pglite.query(blobSql, [], { blob: new Blob([data as Uint8Array<ArrayBuffer>]) });
    },
    binaryParams: false,
  });
}

/**
 * On Postgres, ties the connection's work to the current call: when the call is cancelled — by the client, or by
 * grpc-js when its deadline passes — the running query is cancelled too (pg_cancel_backend over a connection of
 * its own, so it works when the pool is exhausted). NOTE: no per-checkout `SET statement_timeout`: it would cost two round trips on every call, and the
 * deadline already arrives as a cancellation. Returns the clean-up to run before the connection is released.
 */
function bindToCall(cancelBackend: ((pid: number) => Promise<void>) | undefined, client: pg.PoolClient): () => Promise<void> {
  const signal = currentScope()?.signal;
  if (!signal) return async () => undefined;
  throwIfStopped(signal);
  const pid = (client as unknown as { processID?: number }).processID;
  let cancelling: Promise<void> | undefined;
  const onAbort = () => {
    if (pid) cancelling = cancelBackend?.(pid).catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  // NOTE: the connection goes back to the pool only once its cancel has been delivered; released earlier, a late
  // cancel hit the next call's query on the same backend (seen as CANCELLED on an unrelated CreateCollection).
  return async () => {
    signal.removeEventListener('abort', onAbort);
    await cancelling;
  };
}

/** Statements that write nothing: a session running only these has no commit position worth remembering. */
const NON_WRITING = /^\s*(select|show|begin|commit|rollback|set|reset)\b/i;

/**
 * A Postgres session of a writing call: notes whether it wrote, and afterwards records the primary's WAL position
 * (`pg_current_wal_lsn()`, on the connection already held) in the scope and, with replicas, for the tenant, so its
 * next reads go only to replicas that have replayed the write.
 */
async function trackingWrites<T>(
  db: Db,
  client: pg.PoolClient,
  scope: WorkScope,
  fn: (session: Session) => Promise<T>,
  trace?: (stage: string) => void,
): Promise<T> {
  const base = pgSession(client, trace);
  let wrote = false;
  const session: Session = {
    ...base,
    query(sql, params) {
      if (!wrote && !NON_WRITING.test(sql)) wrote = true;
      return base.query(sql, params);
    },
    copyFrom(sql, data) {
      wrote = true;
      return base.copyFrom(sql, data);
    },
  };
  const result = await fn(session);
  if (wrote) {
    // NOTE: the write is committed (or its transaction still open in the caller's hands) whatever happens here, so
    // a failure to read the position must not fail the call: the tenant's reads then wait for the next write's.
    const r = await client.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn').catch(() => undefined);
    const lsn = r ? parseLsn(r.rows[0].lsn) : undefined;
    if (lsn !== undefined) {
      if (scope.commitLsn === undefined || lsn > scope.commitLsn) scope.commitLsn = lsn;
      if (scope.tenantId) db.reads?.noteWrite(scope.tenantId, lsn);
    }
  }
  return result;
}

type Pool = { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<void> };

/** Runs `fn` on a connection of the primary's pool (the single PGlite connection when embedded). */
async function onPrimary<T>(db: Db, fn: (session: Session) => Promise<T>): Promise<T> {
  const client = db.knex.client as Pool;
  const trace = currentScope()?.trace;
  trace?.('acquire.start');
  const connection = await client.acquireConnection();
  trace?.('acquire.end');
  let unbind: () => Promise<void> = async () => undefined;
  try {
    if (db.kind === 'pglite') return await fn(pgliteSession(connection as PGlite, trace));
    unbind = bindToCall(db.cancelBackend, connection as pg.PoolClient);
    const scope = currentScope();
    if (scope && !scope.readOnly) return await trackingWrites(db, connection as pg.PoolClient, scope, fn, trace);
    return await fn(pgSession(connection as pg.PoolClient, trace));
  } finally {
    await unbind();
    await client.releaseConnection(connection);
    trace?.('released');
  }
}

/** Runs `fn` on a connection of a read replica's pool. */
async function onReplica<T>(replica: Replica, fn: (session: Session) => Promise<T>): Promise<T> {
  const client = replica.knex.client as Pool;
  const connection = (await client.acquireConnection()) as pg.PoolClient;
  let unbind: () => Promise<void> = async () => undefined;
  try {
    unbind = bindToCall(replica.cancelBackend, connection);
    return await fn(pgSession(connection));
  } catch (err) {
    // NOTE: after pg's read timeout the statement may still be running (or the standby frozen): the connection is
    // not reusable, so it is closed and the pool told to drop it (knex checks __knex__disposed when it is released).
    if ((err as Error | null)?.message === 'Query read timeout') {
      (connection as pg.PoolClient & { __knex__disposed?: unknown }).__knex__disposed = err;
      (connection as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
    throw err;
  } finally {
    await unbind();
    await client.releaseConnection(connection);
  }
}

/**
 * Runs `fn` with a pooled connection. A read-only call's session goes to a read replica that has replayed the
 * tenant's last write (and the caller's `x-stakazo-min-lsn`), when there is one; everything else to the primary.
 * A replica failing under the read (down, a recovery conflict, a statement that turned out to write) is answered by
 * the primary instead: the callback only reads, so running it again there is safe.
 */
export async function withSession<T>(db: Db, fn: (session: Session) => Promise<T>): Promise<T> {
  const scope = currentScope();
  if (!db.reads || !scope?.readOnly) return onPrimary(db, fn);
  const replica = db.reads.pick(scope);
  if (replica) {
    try {
      const result = await onReplica(replica, fn);
      db.reads.countRead(replica.name);
      return result;
    } catch (err) {
      if (scope.signal?.aborted || !replicaFault(err)) throw err;
      if (connectionFault(err)) db.reads.markDown(replica, err);
    }
  }
  const result = await onPrimary(db, fn);
  db.reads.countRead('primary');
  return result;
}

/** Runs `fn` inside BEGIN … COMMIT on one connection; rolls back if it throws. */
export async function withTransaction<T>(db: Db, fn: (session: Session) => Promise<T>): Promise<T> {
  return withSession(db, (session) => session.transaction(() => fn(session)));
}

/** The replica's connection failed or the replica is unusable (class 08, 57P0x, a driver or pool failure). */
function connectionFault(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string } | null;
  const code = e?.code ?? '';
  if (code.startsWith('08') || code.startsWith('57P') || /^E[A-Z]+$/.test(code)) return true;
  if (e?.name === 'KnexTimeoutError') return true;
  return /Connection terminated|terminating connection|connection error|connection is closed|timeout/i.test(e?.message ?? '');
}

/**
 * The read failed because of the replica, not of the request: its connection, a conflict with recovery (40001),
 * or a write attempted in a read-only transaction (25006, a read-only RPC that writes after all).
 */
function replicaFault(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '40001' || code === '25006' || connectionFault(err);
}
