// The monthly partitions of the metric family tables (`<table>_pYYYYMM`, UTC months; migration
// 20261201300000): created ahead by the scheduler and on demand by the writers, dropped whole by retention.
// NOTE: the idempotency ledger (metric_records) is not partitioned (its key must hold across months); retention
// deletes the ledger rows of a month from the month's own partitions before dropping them.
import type { Db } from '../../db/connect.js';
import { withSession, withTransaction } from '../../db/session.js';
import { FAMILIES } from '../families.js';

const TABLES = FAMILIES.map((f) => f.table);
const POST_TABLES = FAMILIES.filter((f) => f.postKeyed).map((f) => f.table);

/**
 * Every (tenant, UTC day) with rows observed before $1 in any family table (its months and its DEFAULT partition).
 * NOTE: reads every row past retention once a day (upkeep); once they are dropped, that is little.
 */
const DAYS_BEFORE_SQL = TABLES.map(
  (table) => `select tenant_id, to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD') as day from ${table} where observed_at < $1`,
).join('\n  union\n');

/** The earliest observation before $3 of each post of ($1 tenants, $2 posts), in the post-keyed family tables. */
const FIRST_OBSERVATIONS_SQL = `select p.tenant_id as "tenantId", p.post_id as "postId", min(f.first) as "firstObservedAt"
  from unnest($1::text[], $2::text[]) as p(tenant_id, post_id)
  cross join lateral (
    ${POST_TABLES.map((table) => `select min(observed_at) as first from ${table} m where m.tenant_id = p.tenant_id and m.post_id = p.post_id and m.observed_at < $3`).join('\n    union all ')}
  ) f
  group by p.tenant_id, p.post_id
  having min(f.first) is not null`;

/** "YYYYMM" of the UTC month holding `ms`. */
export function monthOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The first instant of month `month` plus `add` months. */
function monthStart(month: string, add = 0): Date {
  return new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(4)) - 1 + add, 1));
}

const literal = (d: Date) => `'${d.toISOString()}'`;

function createSql(table: string, month: string): string {
  return `create table if not exists ${table}_p${month} partition of ${table}
    for values from (${literal(monthStart(month))}) to (${literal(monthStart(month, 1))})`;
}

/** Months with a partition in every family table. */
const EXISTING_SQL = `select substr(c.relname, length(p.relname) + 3) as month
  from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
  where p.relname = any ($1::text[]) and c.relname ~ '_p[0-9]{6}$'
  group by 1 having count(*) = $2`;

/**
 * Partitions whose planner statistics are missing or stale: never analysed while holding rows, or changed by more
 * than a tenth of their rows (and at least 1,000) since (autovacuum waits for the same tenth plus its nap, and PGlite
 * has no autovacuum at all).
 */
const STALE_SQL = `select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name
  from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
  join pg_namespace n on n.oid = c.relnamespace
  join pg_stat_user_tables s on s.relid = c.oid
  where p.relname = any ($1::text[])
    and ((s.last_analyze is null and s.last_autoanalyze is null and s.n_live_tup + s.n_mod_since_analyze > 0)
      or s.n_mod_since_analyze >= greatest(1000, 0.1 * s.n_live_tup))
  order by 1`;

/** Another writer created the same partition at the same moment (the catalog's unique keys). */
const RACE_CODES = new Set(['42P07', '23505']);
/** The month's rows are already in the DEFAULT partition (it was past the horizon when they came): they stay there. */
const IN_DEFAULT = '23514';

/**
 * Writers create month partitions on demand only from this many months back; rows of older months go to each table's
 * DEFAULT partition (migration 20261201300001). NOTE: without it, one request with observation times spread over
 * 2000..now made up to ~320 months × 6 partitions of DDL (found by the fuzz test).
 */
export const ON_DEMAND_MONTHS_BACK = 24;

/** Repository of the family tables' partitions; one per process, so its knowledge of existing months is shared. */
export class MetricPartitionRepository {
  /** Months known to exist in every family table (refreshed when a wanted month is not in it). */
  private known?: Set<string>;

  constructor(private readonly db: Db) {}

  /**
   * Makes sure a partition exists for every month of `observedMs` in every family table. Costs nothing when they
   * are known to; otherwise reads the catalog once and creates the missing ones, each in its own statement (a
   * partition's creation locks its parent: it must not wait inside a write's transaction).
   */
  async ensureMonths(observedMs: Iterable<number>, now = new Date()): Promise<void> {
    const horizon = monthOf(monthStart(monthOf(now.getTime()), -ON_DEMAND_MONTHS_BACK).getTime());
    const wanted = new Set<string>();
    for (const ms of observedMs) {
      const month = monthOf(ms);
      if (month >= horizon) wanted.add(month);
    }
    if (this.known && [...wanted].every((m) => this.known!.has(m))) return;
    await this.create([...wanted]);
  }

  /** Forgets the known months (a partition was dropped elsewhere, e.g. by another replica's retention). */
  forget(): void {
    this.known = undefined;
  }

  /** Creates the partitions of the month of `now` and of the `monthsAhead` following months; returns those created. */
  createAhead(now: Date, monthsAhead: number): Promise<string[]> {
    const first = monthOf(now.getTime());
    return this.create(Array.from({ length: monthsAhead + 1 }, (_, i) => monthOf(monthStart(first, i).getTime())));
  }

  /**
   * Runs ANALYZE on every family partition whose statistics are stale (STALE_SQL); returns their names. A query
   * bounded in time outside the statistics (rows loaded since the last ANALYZE, a backfilled day) is estimated at one
   * row, and the planner then probes each post through the time index, rescanning the whole period per post.
   */
  async analyzeStale(): Promise<string[]> {
    return withSession(this.db, async (s) => {
      const stale = (await s.query<{ name: string }>(STALE_SQL, [TABLES])).rows.map((r) => r.name);
      for (const name of stale) await s.query(`analyze ${name}`);
      return stale;
    });
  }

  /** The months with a partition in every family table, oldest first. */
  async months(): Promise<string[]> {
    const rows = await withSession(this.db, async (s) => (await s.query<{ month: string }>(EXISTING_SQL, [TABLES, TABLES.length])).rows);
    return rows.map((r) => r.month).sort();
  }

  /**
   * Drops every month that ends at or before `cutoff`: the ledger rows of its records, then its partitions, in one
   * transaction per month; and deletes the DEFAULT partitions' rows observed before `cutoff` with their ledger rows.
   * Returns the months dropped.
   */
  async dropMonthsBefore(cutoff: Date): Promise<string[]> {
    await withTransaction(this.db, async (s) => {
      for (const table of TABLES) {
        const old = `select tenant_id, record_id from ${table}_pdefault where observed_at < $1`;
        await s.query(`delete from metric_records m using (${old}) f where m.tenant_id = f.tenant_id and m.record_id = f.record_id`, [cutoff]);
        await s.query(`delete from ${table}_pdefault where observed_at < $1`, [cutoff]);
      }
    });
    const old = (await this.months()).filter((m) => monthStart(m, 1).getTime() <= cutoff.getTime());
    for (const month of old) {
      await withTransaction(this.db, async (s) => {
        for (const table of TABLES) {
          await s.query(`delete from metric_records m using ${table}_p${month} f where m.tenant_id = f.tenant_id and m.record_id = f.record_id`);
        }
        for (const table of TABLES) await s.query(`drop table if exists ${table}_p${month}`);
      });
    }
    this.forget();
    return old;
  }

  /** Every (tenant, UTC day) with metrics of any family observed before `cutoff`, in no particular order. */
  async daysWithMetricsBefore(cutoff: Date): Promise<{ tenantId: string; day: string }[]> {
    const rows = await withSession(this.db, async (s) => (await s.query<{ tenant_id: string; day: string }>(DAYS_BEFORE_SQL, [cutoff])).rows);
    return rows.map((r) => ({ tenantId: r.tenant_id, day: r.day }));
  }

  /** The earliest observation before `cutoff` of each of `posts` (of the post families); posts without one are left out. */
  async firstObservations(
    posts: readonly { tenantId: string; postId: string }[],
    cutoff: Date,
  ): Promise<{ tenantId: string; postId: string; firstObservedAt: Date }[]> {
    if (posts.length === 0) return [];
    const params = [posts.map((p) => p.tenantId), posts.map((p) => p.postId), cutoff];
    return withSession(this.db, async (s) => (await s.query<{ tenantId: string; postId: string; firstObservedAt: Date }>(FIRST_OBSERVATIONS_SQL, params)).rows);
  }

  private async create(months: string[]): Promise<string[]> {
    const existing = new Set(await this.months());
    const created: string[] = [];
    for (const month of months) {
      if (existing.has(month)) continue;
      await withSession(this.db, async (s) => {
        for (const table of TABLES) {
          await s.query(createSql(table, month)).catch((err: { code?: string }) => {
            if (!RACE_CODES.has(err.code ?? '') && err.code !== IN_DEFAULT) throw err;
          });
        }
      });
      existing.add(month);
      created.push(month);
    }
    this.known = existing;
    return created;
  }
}
