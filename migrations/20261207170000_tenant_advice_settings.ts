// A tenant's advice settings: the smallest expected lift worth advising and the outcome targets are chosen on
// (src/learning/advice/advice.ts).
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `alter table tenants add column if not exists advice_min_lift_fraction double precision not null default 0.1
       check (advice_min_lift_fraction >= 0 and advice_min_lift_fraction <= 10)`,
    `alter table tenants add column if not exists advice_primary_outcome text not null default 'views'
       check (advice_primary_outcome in ('views', 'completion_rate', 'first_3s_loss', 'engagement_rate'))`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, [
    'alter table tenants drop column if exists advice_min_lift_fraction',
    'alter table tenants drop column if exists advice_primary_outcome',
  ]);
}
