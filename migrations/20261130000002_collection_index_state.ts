// Deferred indexing: a collection records whether its HNSW index exists (none / building / ready) and the point
// count at which it is built. Collections made before hold their index from the start: ready, threshold 0.
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `alter table collections add column if not exists index_state text not null default 'ready'
       check (index_state in ('none', 'building', 'ready'))`,
    'alter table collections add column if not exists indexing_threshold bigint not null default 0 check (indexing_threshold >= 0)',
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, ['alter table collections drop column if exists index_state', 'alter table collections drop column if exists indexing_threshold']);
}
