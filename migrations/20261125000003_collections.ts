// The registry of embedding collections; each collection's points live in a table of their own (table_name).
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `create table if not exists collections (
       tenant_id text not null references tenants (tenant_id) on delete cascade,
       name text not null,
       embedding_type text not null,
       dimension integer not null check (dimension between 1 and 4000),
       distance text not null check (distance in ('cosine', 'l2', 'inner_product')),
       precision text not null check (precision in ('float32', 'float16')),
       hnsw_m integer not null,
       hnsw_ef_construction integer not null,
       hnsw_ef_search integer not null,
       description text not null default '',
       table_name text not null unique,
       created_at timestamptz not null default now(),
       primary key (tenant_id, name)
     )`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists collections');
}
