// The opt-in of a tenant to learning across artists: its models' coefficients feed the shared prior, and it
// receives that prior while its own history is small (src/learning/virality/shared-prior.ts).
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, ['alter table tenants add column if not exists share_learning boolean not null default false']);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, ['alter table tenants drop column if exists share_learning']);
}
