// Collection aliases: a second name of a collection, switched atomically to re-index without downtime. An alias
// names a collection (never another alias, so there are no cycles) of the same tenant; the foreign key keeps a
// collection with aliases from being deleted.
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `create table if not exists collection_aliases (
       tenant_id text not null references tenants (tenant_id) on delete cascade,
       alias text not null,
       collection_name text not null,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       primary key (tenant_id, alias),
       foreign key (tenant_id, collection_name) references collections (tenant_id, name)
     )`,
    'create index if not exists collection_aliases_collection on collection_aliases (tenant_id, collection_name)',
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists collection_aliases');
}
