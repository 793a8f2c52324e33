// A learning run records its owner (the runner process: src/db/runner-liveness.ts), so a run whose process died is
// recognised as orphaned at once and taken over, and the last succeeded attempt of a day, kept readable while the
// day is learned again (its report stays served until the new one commits, or for good if the new one fails).
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    "alter table learning_runs add column if not exists owner text not null default ''",
    'alter table learning_runs add column if not exists previous_success jsonb',
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, ['alter table learning_runs drop column if exists previous_success', 'alter table learning_runs drop column if exists owner']);
}
