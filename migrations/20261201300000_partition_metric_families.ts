// Partitions the six metric family tables by observation time, one partition per UTC month
// (`<table>_pYYYYMM`), and moves the existing rows into them. Retention then drops whole months
// (METRICS_RETENTION_DAYS) instead of deleting rows, and a query bounded in observed_at reads only its months.
// NOTE: the idempotency ledger (metric_records) is NOT partitioned: its (tenant_id, record_id) primary key is what
// makes a record id unique for the tenant whatever its observation time, and Postgres cannot enforce a unique key
// across partitions unless it contains the partition key. See docs/scaling.md, "Partitioned metrics".
// Months are created here for every month holding data, plus the current one and the next two; later months are
// created ahead by the scheduler and on demand by the writers (src/metrics/metric-partitions.repository.ts).
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

/** Each family table and its indices (as migrations 20261125000005 and 20261125040001 left them). */
const FAMILY_INDEXES: Record<string, string[]> = {
  retention_metrics: ['post_idx (tenant_id, post_id, observed_at desc)', 'observed_idx (tenant_id, observed_at)'],
  engagement_metrics: ['post_idx (tenant_id, post_id, observed_at desc)', 'observed_idx (tenant_id, observed_at)'],
  viewer_behavior: ['post_idx (tenant_id, post_id, observed_at desc)', 'observed_idx (tenant_id, observed_at)'],
  engine_performance: [
    'engine_idx (tenant_id, engine, operation, observed_at)',
    'observed_idx (tenant_id, observed_at)',
    'content_idx (tenant_id, content_id)',
  ],
  satellite_performance: ['account_idx (tenant_id, satellite_account, observed_at desc)', 'observed_idx (tenant_id, observed_at)'],
  meta_learning_scores: ['component_idx (tenant_id, component, metric, observed_at)', 'observed_idx (tenant_id, observed_at)'],
};
const TABLES = Object.keys(FAMILY_INDEXES);

/** "YYYYMM" of the month after `month`. */
function nextMonth(month: string): string {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(4));
  return m === 12 ? `${year + 1}01` : `${year}${String(m + 1).padStart(2, '0')}`;
}

const bound = (month: string) => `'${month.slice(0, 4)}-${month.slice(4)}-01 00:00:00+00'`;

function partitionSql(table: string, month: string): string {
  return `create table if not exists ${table}_p${month} partition of ${table} for values from (${bound(month)}) to (${bound(nextMonth(month))})`;
}

function indexSql(table: string): string[] {
  return FAMILY_INDEXES[table].map((definition) => `create index if not exists ${table}_${definition.replace(' (', ` on ${table} (`)}`);
}

/** The months holding rows in any family table, plus the current month and the next two. */
async function monthsToCreate(knex: Knex): Promise<string[]> {
  const union = TABLES.map((t) => `select distinct to_char(observed_at at time zone 'UTC', 'YYYYMM') as month from ${t}`).join(' union ');
  const r = await knex.raw(`${union} union select to_char((now() at time zone 'UTC') + make_interval(months => n), 'YYYYMM') from generate_series(0, 2) n`);
  return (r.rows as Array<{ month: string }>).map((row) => row.month).sort();
}

async function isPartitioned(knex: Knex, table: string): Promise<boolean> {
  const r = await knex.raw(`select exists (select 1 from pg_partitioned_table where partrelid = to_regclass(?)) as partitioned`, [table]);
  return Boolean((r.rows[0] as { partitioned: boolean }).partitioned);
}

export async function up(knex: Knex): Promise<void> {
  const months = await monthsToCreate(knex);
  for (const table of TABLES) {
    if (await isPartitioned(knex, table)) continue;
    await runStatements(knex, [
      `create table ${table}_partitioned (like ${table} including defaults including storage including constraints) partition by range (observed_at)`,
      ...months.map((month) => partitionSql(`${table}_partitioned`, month).replace(`${table}_partitioned_p`, `${table}_p`)),
      `insert into ${table}_partitioned select * from ${table}`,
      `drop table ${table}`,
      `alter table ${table}_partitioned rename to ${table}`,
      ...indexSql(table),
    ]);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    if (!(await isPartitioned(knex, table))) continue;
    await runStatements(knex, [
      `create table ${table}_plain (like ${table} including defaults including storage including constraints)`,
      `insert into ${table}_plain select * from ${table}`,
      `drop table ${table}`,
      `alter table ${table}_plain rename to ${table}`,
      ...indexSql(table),
    ]);
  }
}
