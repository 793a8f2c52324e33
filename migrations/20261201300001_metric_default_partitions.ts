// A DEFAULT partition for each metric family table: rows of months older than the writers' on-demand horizon
// (src/metrics/metric-partitions.repository.ts, ON_DEMAND_MONTHS_BACK) land there instead of each creating a month
// of six partitions, so a request carrying observation times spread over decades costs no DDL.
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

const TABLES = ['retention_metrics', 'engagement_metrics', 'viewer_behavior', 'engine_performance', 'satellite_performance', 'meta_learning_scores'];

export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    TABLES.map((table) => `create table if not exists ${table}_pdefault partition of ${table} default`),
  );
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    const r = await knex.raw(`select exists (select 1 from ${table}_pdefault) as rows`);
    if ((r.rows[0] as { rows: boolean }).rows) {
      throw new Error(`${table}_pdefault holds rows of old months: create their month partitions and move them before going down`);
    }
  }
  await runStatements(
    knex,
    TABLES.map((table) => `drop table if exists ${table}_pdefault`),
  );
}
