// Read replicas (DATABASE_READ_URLS): which replica may serve a read-only call, from state refreshed in the background
// (never an extra round trip per call), and the per-tenant WAL position of the last write that makes reads
// read-your-writes. A replica that is down, lagging, pointing elsewhere or promoted is skipped.
import knexPkg, { type Knex } from 'knex';
import type { Logger } from '../log.js';
import { backendCanceller } from './cancel.js';
import { formatLsn, parseLsn } from './lsn.js';
import type { WorkScope } from './work-scope.js';
import { withServerSettings } from './server-settings.js';

const { knex } = knexPkg;

export interface ReadReplicaOptions {
  /** The replicas' URLs, in the order given. */
  urls: string[];
  /** A replica further behind the primary than this is skipped until it catches up. */
  maxLagMs: number;
  /** How often each replica's position and the primary's are read. */
  refreshMs: number;
  /**
   * A statement not answered after this long fails with a timeout (pg's client-side query_timeout), so a frozen
   * standby does not hold a call for its whole deadline: session.ts answers it from the primary. 0 = no limit.
   */
  readTimeoutMs: number;
  poolMax: number;
  acquireTimeoutMs: number;
  log?: Logger;
}

type ReplicaStatus = 'unknown' | 'healthy' | 'lagging' | 'down' | 'refused';

/** One replica as the router sees it. */
export interface Replica {
  /** host:port/database, for logs and the per-target read counter. */
  readonly name: string;
  readonly knex: Knex;
  readonly url: string;
  /** Cancels a statement running on this replica (see bindToCall in session.ts). */
  readonly cancelBackend: (pid: number) => Promise<void>;
  status: ReplicaStatus;
  /** Why it is down, lagging or refused. */
  reason?: string;
  /** Replayed WAL position at the last refresh (it only moves forward, so it is a safe lower bound). */
  replayLsn: bigint;
  lagMs: number;
  /** Same cluster and database as the primary (checked once, at first contact). */
  identityChecked: boolean;
}

/** What the primary is, for comparing replicas with it. */
interface Identity {
  systemIdentifier?: string;
  database: string;
}

/** Thrown at start-up when DATABASE_READ_URLS names something that must not serve reads. */
export class ReadReplicaRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadReplicaRefused';
  }
}

/** host:port/database of a URL, without credentials. */
function nameOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

/** Runs `query` or fails after `ms` (a hung replica must not hold up the refresh of the others). */
async function within<T>(ms: number, query: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const IDENTITY_SQL = `select current_database() as database,
  (select system_identifier::text from pg_control_system()) as system_identifier`;
const REPLICA_STATE_SQL = `select pg_is_in_recovery() as standby,
  pg_last_wal_replay_lsn()::text as replay_lsn,
  coalesce(extract(epoch from (clock_timestamp() - pg_last_xact_replay_timestamp())) * 1000, 0)::float8 as replay_age_ms`;

/** Routes read-only work to replicas; owned by the Db and closed with it. */
export class ReadReplicas {
  readonly replicas: Replica[];
  /** Last committed write's WAL position, per tenant. */
  private readonly lastWrite = new Map<string, bigint>();
  private primaryIdentity?: Identity;
  private primaryLsn = 0n;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private next = 0;
  private readonly readListeners: Array<(target: string) => void> = [];

  constructor(
    private readonly primary: Knex,
    private readonly options: ReadReplicaOptions,
  ) {
    this.replicas = options.urls.map((url) => ({
      name: nameOf(url),
      url,
      cancelBackend: backendCanceller(url),
      knex: knex({
        client: 'pg',
        connection: {
          // NOTE: a replica connection refuses writes even if the server was promoted behind our back.
          ...withServerSettings(url, 'default_transaction_read_only=on'),
          application_name: 'stakazo-ml-read',
          connectionTimeoutMillis: Math.min(options.acquireTimeoutMs, 5000),
          ...(options.readTimeoutMs > 0 ? { query_timeout: options.readTimeoutMs } : {}),
        },
        pool: { min: 0, max: options.poolMax, idleTimeoutMillis: 30_000 },
        acquireConnectionTimeout: options.acquireTimeoutMs,
        log: { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined },
      }),
      status: 'unknown',
      replayLsn: 0n,
      lagMs: 0,
      identityChecked: false,
    }));
  }

  /**
   * Checks every replica once: one that answers but is not a standby, or belongs to another cluster or database,
   * stops start-up with the reason. One that does not answer is skipped and tried again on each refresh.
   */
  async verify(): Promise<void> {
    this.primaryIdentity = await this.identityOf(this.primary);
    await this.refresh();
    const refused = this.replicas.filter((r) => r.status === 'refused');
    if (refused.length > 0) {
      throw new ReadReplicaRefused(`invalid setting DATABASE_READ_URLS: ${refused.map((r) => `${r.name}: ${r.reason}`).join('; ')}`);
    }
    for (const r of this.replicas.filter((r) => r.status === 'down')) {
      this.options.log?.warn({ replica: r.name, reason: r.reason }, 'read replica unreachable at start; reads go to the primary until it answers');
    }
  }

  /** Starts the background refresh. */
  start(): void {
    this.timer ??= setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing?.catch(() => undefined);
    await Promise.all(this.replicas.map((r) => r.knex.destroy()));
  }

  /** Calls `listener` with the target ("primary" or a replica's name) of every routed read. */
  onRead(listener: (target: string) => void): void {
    this.readListeners.push(listener);
  }

  countRead(target: string): void {
    for (const listener of this.readListeners) listener(target);
  }

  /** Remembers the WAL position of a tenant's committed write. */
  noteWrite(tenantId: string, lsn: bigint): void {
    if (lsn > (this.lastWrite.get(tenantId) ?? 0n)) this.lastWrite.set(tenantId, lsn);
  }

  /** A healthy replica that has replayed everything the scope must see, or undefined (then the primary serves). */
  pick(scope: WorkScope): Replica | undefined {
    const tenantLsn = scope.tenantId ? (this.lastWrite.get(scope.tenantId) ?? 0n) : 0n;
    const required = scope.minLsn !== undefined && scope.minLsn > tenantLsn ? scope.minLsn : tenantLsn;
    const count = this.replicas.length;
    for (let i = 0; i < count; i++) {
      const replica = this.replicas[(this.next + i) % count];
      if (replica.status === 'healthy' && replica.replayLsn >= required) {
        this.next = (this.next + i + 1) % count;
        return replica;
      }
    }
    return undefined;
  }

  /** A read on `replica` failed with a connection error: skip it until a refresh finds it answering again. */
  markDown(replica: Replica, err: unknown): void {
    if (replica.status === 'refused') return;
    if (replica.status !== 'down') this.options.log?.warn({ replica: replica.name, err }, 'read replica failed; reads go elsewhere until it answers');
    replica.status = 'down';
    replica.reason = (err as Error).message;
  }

  /** Reads the primary's WAL position and every replica's state (one refresh at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const timeoutMs = Math.max(this.options.refreshMs * 5, 2000);
    try {
      const r = await within(timeoutMs, this.primary.raw('select pg_current_wal_lsn()::text as lsn'));
      this.primaryLsn = parseLsn((r.rows[0] as { lsn: string }).lsn) ?? this.primaryLsn;
    } catch {
      // The primary's own failures reach the calls; the replicas' state is still worth reading.
    }
    await Promise.all(this.replicas.map((replica) => this.refreshReplica(replica, timeoutMs)));
  }

  private async refreshReplica(replica: Replica, timeoutMs: number): Promise<void> {
    if (replica.status === 'refused') return;
    try {
      if (!replica.identityChecked) {
        const refusal = this.identityProblem(await within(timeoutMs, this.identityOf(replica.knex)));
        if (refusal) return this.refuse(replica, refusal);
        replica.identityChecked = true;
      }
      const r = await within(timeoutMs, replica.knex.raw(REPLICA_STATE_SQL));
      const row = r.rows[0] as { standby: boolean; replay_lsn: string | null; replay_age_ms: number };
      if (!row.standby) {
        return this.refuse(
          replica,
          'it is not a standby (pg_is_in_recovery() is false): a primary, or a promoted replica; it is never used for reads or writes',
        );
      }
      const replayLsn = row.replay_lsn ? (parseLsn(row.replay_lsn) ?? 0n) : 0n;
      if (replayLsn > replica.replayLsn) replica.replayLsn = replayLsn;
      // NOTE: an idle primary commits nothing, so the age of the last replayed commit says nothing about lag once
      // the replica has replayed everything the primary had written at this refresh.
      replica.lagMs = replica.replayLsn >= this.primaryLsn ? 0 : row.replay_age_ms;
      const wasUsable = replica.status === 'healthy';
      if (replica.lagMs > this.options.maxLagMs) {
        replica.status = 'lagging';
        replica.reason = `${Math.round(replica.lagMs)} ms behind the primary (READ_MAX_LAG_MS ${this.options.maxLagMs})`;
      } else {
        if (!wasUsable && replica.status !== 'unknown') this.options.log?.info({ replica: replica.name }, 'read replica serves reads again');
        replica.status = 'healthy';
        replica.reason = undefined;
      }
    } catch (err) {
      this.markDown(replica, err);
    }
  }

  private refuse(replica: Replica, reason: string): void {
    replica.status = 'refused';
    replica.reason = reason;
    this.options.log?.error({ replica: replica.name, reason }, 'read replica refused');
  }

  private async identityOf(db: Knex): Promise<Identity> {
    try {
      const r = await db.raw(IDENTITY_SQL);
      const row = r.rows[0] as { database: string; system_identifier: string };
      return { database: row.database, systemIdentifier: row.system_identifier };
    } catch (err) {
      // NOTE: pg_control_system() may be denied to a non-superuser; the database name is still compared.
      if ((err as { code?: string }).code !== '42501') throw err;
      const r = await db.raw('select current_database() as database');
      return { database: (r.rows[0] as { database: string }).database };
    }
  }

  private identityProblem(replica: Identity): string | undefined {
    const primary = this.primaryIdentity;
    if (!primary) return undefined;
    if (primary.systemIdentifier && replica.systemIdentifier && primary.systemIdentifier !== replica.systemIdentifier) {
      return `it belongs to another cluster (system identifier ${replica.systemIdentifier}, the primary's is ${primary.systemIdentifier}): not a replica of DATABASE_URL`;
    }
    if (primary.database !== replica.database) {
      return `it points at database "${replica.database}", the primary serves "${primary.database}"`;
    }
    return undefined;
  }

  /** The routing state, for logs and tests. */
  describe(): Array<{ name: string; status: ReplicaStatus; reason?: string; replayLsn: string; lagMs: number }> {
    return this.replicas.map((r) => ({ name: r.name, status: r.status, reason: r.reason, replayLsn: formatLsn(r.replayLsn), lagMs: r.lagMs }));
  }
}
