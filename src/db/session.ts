// A raw connection taken from knex's pool, for hot paths: binary COPY and multi-statement transactions
// without the query builder. Works the same on pg and PGlite.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import type { PGlite } from '@electric-sql/pglite';
import type { Db } from './connect.js';
import { currentScope } from './work-scope.js';

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
}

function pgSession(client: pg.PoolClient | pg.Client): Session {
  return {
    async query<Row>(sql: string, params?: unknown[]) {
      const r = await client.query(sql, params);
      return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
    },
    async copyFrom(sql: string, data: Buffer) {
      await pipeline(Readable.from([data]), client.query(copyFromStream(sql)));
    },
  };
}

function pgliteSession(pglite: PGlite): Session {
  return {
    async query<Row>(sql: string, params?: unknown[]) {
      const r = await pglite.query<Row>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async copyFrom(sql: string, data: Buffer) {
      const blobSql = sql.replace(/\bfrom\s+stdin\b/i, "FROM '/dev/blob'");
      await pglite.query(blobSql, [], { blob: new Blob([data as Uint8Array<ArrayBuffer>]) });
    },
  };
}

/**
 * On Postgres, ties the connection's work to the current call: when the call is cancelled — by the client, or by
 * grpc-js when its deadline passes — the running query is cancelled too (pg_cancel_backend over a connection of
 * its own, so it works when the pool is exhausted). NOTE: no per-checkout `SET statement_timeout`: it would cost two round trips on every call, and the
 * deadline already arrives as a cancellation. Returns the clean-up to run before the connection is released.
 */
function bindToCall(db: Db, client: pg.PoolClient): () => Promise<void> {
  const signal = currentScope()?.signal;
  if (!signal) return async () => undefined;
  signal.throwIfAborted();
  const pid = (client as unknown as { processID?: number }).processID;
  let cancelling: Promise<void> | undefined;
  const onAbort = () => {
    if (pid) cancelling = db.cancelBackend?.(pid).catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  // NOTE: the connection goes back to the pool only once its cancel has been delivered; released earlier, a late
  // cancel hit the next call's query on the same backend (seen as CANCELLED on an unrelated CreateCollection).
  return async () => {
    signal.removeEventListener('abort', onAbort);
    await cancelling;
  };
}

/** Runs `fn` with a connection from knex's pool (the single PGlite connection when embedded). */
export async function withSession<T>(db: Db, fn: (session: Session) => Promise<T>): Promise<T> {
  const client = db.knex.client as { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<void> };
  const connection = await client.acquireConnection();
  let unbind = async () => undefined as void;
  try {
    if (db.kind === 'pglite') return await fn(pgliteSession(connection as PGlite));
    unbind = bindToCall(db, connection as pg.PoolClient);
    return await fn(pgSession(connection as pg.PoolClient));
  } finally {
    await unbind();
    await client.releaseConnection(connection);
  }
}

/** Runs `fn` inside BEGIN … COMMIT on one connection; rolls back if it throws. */
export async function withTransaction<T>(db: Db, fn: (session: Session) => Promise<T>): Promise<T> {
  return withSession(db, async (session) => {
    await session.query('begin');
    try {
      const result = await fn(session);
      await session.query('commit');
      return result;
    } catch (err) {
      await session.query('rollback').catch(() => undefined);
      throw err;
    }
  });
}
