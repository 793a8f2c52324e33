// Keyword search: a collection records the metadata fields its keyword sub-queries search and the text search
// configuration they are indexed with. Collections made before have none (no keyword search), language "simple".
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `alter table collections add column if not exists text_fields text[] not null default '{}'`,
    `alter table collections add column if not exists text_language text not null default 'simple'`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, ['alter table collections drop column if exists text_fields', 'alter table collections drop column if exists text_language']);
}
