// Drops the per-row foreign keys of metric writes: ledger → tenants and post-family rows → posts. Each fired a
// trigger (a lookup and a row lock) per record, which made a stream's COPY about twice the same COPY without them.
// NOTE: integrity is kept by construction instead, and checked set-based once per write:
// - tenants: a tenant id reaches the service only through authentication (api_tokens → tenants) or is the seeded
//   "default", and the service never deletes tenants; post-family rows also reach tenants through posts → content.
// - posts: a write checks that every post it names exists (one query per chunk: unknown posts are rejected by
//   record) while holding the tenant's shared "posts" lock (stream) or a key-share lock on the post (unary);
//   DeleteContent takes that lock exclusively and deletes the posts before their family rows, so no family row can
//   be written for a post being deleted. ON DELETE CASCADE from posts is replaced by those explicit deletes
//   (see deleteContent in src/metrics/metrics.repository.ts and metric-ingest.repository.ts).
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

const POST_FAMILY_TABLES = ['retention_metrics', 'engagement_metrics', 'viewer_behavior'];

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    'alter table metric_records drop constraint if exists metric_records_tenant_id_fkey',
    ...POST_FAMILY_TABLES.map((t) => `alter table ${t} drop constraint if exists ${t}_tenant_id_post_id_fkey`),
  ]);
}

/** Restores the foreign keys (fails if rows were orphaned meanwhile, which the service never does). */
export async function down(knex: Knex): Promise<void> {
  const addIfMissing = (table: string, name: string, definition: string) =>
    `do $$ begin
       if not exists (select 1 from pg_constraint where conname = '${name}' and conrelid = '${table}'::regclass) then
         alter table ${table} add constraint ${name} ${definition};
       end if;
     end $$`;
  await runStatements(knex, [
    addIfMissing('metric_records', 'metric_records_tenant_id_fkey', 'foreign key (tenant_id) references tenants (tenant_id) on delete cascade'),
    ...POST_FAMILY_TABLES.map((t) =>
      addIfMissing(t, `${t}_tenant_id_post_id_fkey`, 'foreign key (tenant_id, post_id) references posts (tenant_id, post_id) on delete cascade'),
    ),
  ]);
}
