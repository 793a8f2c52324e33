// The connection pool as the rest of the process may see it: its size and its connections by state. NOTE: knex
// keeps its pool on an undocumented field of its client; this is the one place that reads knex's internals.
import type { Db } from './connect.js';

/** The pool's connections by state. */
export interface PoolUsage {
  used: number;
  free: number;
  /** Callers waiting for a connection. */
  pending: number;
}

interface KnexPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** The pool's connections now, or undefined while knex has not made its pool yet. */
export function poolUsage(db: Db): PoolUsage | undefined {
  const pool = (db.knex.client as { pool?: KnexPool }).pool;
  return pool && { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires() };
}

/** The most connections the pool holds (knex's default, 10, when not configured). */
export function poolMax(db: Db): number {
  return (db.knex.client.config as { pool?: { max?: number } }).pool?.max ?? 10;
}
