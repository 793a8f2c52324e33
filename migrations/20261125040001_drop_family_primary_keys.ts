// Drops the primary keys of the six metric family tables: (tenant_id, record_id) is already unique in the ledger
// (metric_records), and a family row is only ever written by the transaction that claimed its id there, so the
// family key was a second index insert per record that no query reads (they use the post and observed_at indices).
// NOTE: a ledger row is only deleted together with its family row (DeleteContent), so ids stay unique per family.
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

const FAMILY_TABLES = ['retention_metrics', 'engagement_metrics', 'viewer_behavior', 'engine_performance', 'satellite_performance', 'meta_learning_scores'];

export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    FAMILY_TABLES.map((t) => `alter table ${t} drop constraint if exists ${t}_pkey`),
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    FAMILY_TABLES.map(
      (t) => `do $$ begin
         if not exists (select 1 from pg_constraint where conname = '${t}_pkey' and conrelid = '${t}'::regclass) then
           alter table ${t} add primary key (tenant_id, record_id);
         end if;
       end $$`,
    ),
  );
}
