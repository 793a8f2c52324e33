// Who owns a long-running piece of work (a learning run) and whether that owner still lives, so that work whose
// process died (kill -9, a crash, a lost machine) is recovered at once instead of looking 'running' until a timeout.
// Airflow's rule: a task whose worker died is failed and retried, never left running.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';

/** The liveness of runners: this process's id, and which recorded owners are gone. */
export interface RunnerLiveness {
  /** This process's owner id (host, pid and a random part), recorded on the work it claims. */
  readonly ownerId: string;
  /**
   * Makes this process's liveness visible to others before it records work under `ownerId` (on Postgres: takes
   * its advisory lock). Idempotent.
   */
  hold(): Promise<void>;
  /** The owners among `ownerIds` whose process is gone for sure. */
  deadOwners(ownerIds: readonly string[]): Promise<Set<string>>;
  close(): Promise<void>;
}

function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * An embedded database: one process at a time holds the data folder (src/db/folder-lock.ts), so every owner but
 * this process's is gone — exact, with no clock and no timeout.
 */
export function embeddedLiveness(): RunnerLiveness {
  const ownerId = newOwnerId();
  return {
    ownerId,
    async hold() {},
    async deadOwners(ownerIds) {
      return new Set(ownerIds.filter((id) => id !== ownerId));
    },
    async close() {},
  };
}

/** The advisory lock key of an owner (its class keeps it apart from the learning claims' keys). */
const LOCK_KEY_SQL = "hashtextextended('stakazo-runner:' || $1, 0)";

/**
 * Postgres shared by several processes: each holds a session advisory lock named by its owner id on a connection of
 * its own, for its whole life. Postgres releases it when that connection ends — the process died or lost the
 * database — so an owner whose lock can be taken is gone. NOTE: the connection is opened on first use only (a CLI
 * command that never claims work opens none).
 */
export function postgresLiveness(url: string): RunnerLiveness {
  const ownerId = newOwnerId();
  let client: pg.Client | undefined;
  let holding: Promise<pg.Client> | undefined;
  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: url, application_name: 'stakazo-ml-runner' });
    // NOTE: a lost connection drops the lock: connect again at the next use. Meanwhile others may take this
    // process's runs over; finishing them is then refused (the claim's attempt number changed), never doubled.
    c.on('error', () => {
      if (client === c) {
        client = undefined;
        holding = undefined;
      }
      c.end().catch(() => undefined);
    });
    await c.connect();
    await c.query(`select pg_advisory_lock(${LOCK_KEY_SQL})`, [ownerId]);
    client = c;
    return c;
  };
  const held = (): Promise<pg.Client> => {
    holding ??= connect().catch((err) => {
      holding = undefined;
      throw err;
    });
    return holding;
  };
  return {
    ownerId,
    async hold() {
      await held();
    },
    async deadOwners(ownerIds) {
      const others = [...new Set(ownerIds)].filter((id) => id !== ownerId);
      const dead = new Set<string>();
      if (others.length === 0) return dead;
      const c = await held();
      for (const id of others) {
        const r = await c.query<{ free: boolean }>(`select pg_try_advisory_lock(${LOCK_KEY_SQL}) as free`, [id]);
        if (r.rows[0].free) {
          await c.query(`select pg_advisory_unlock(${LOCK_KEY_SQL})`, [id]);
          dead.add(id);
        }
      }
      return dead;
    },
    async close() {
      const c = client;
      client = undefined;
      holding = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
