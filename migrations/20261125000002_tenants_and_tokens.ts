// Tenants (artists sharing one deployment) and the hashed bearer tokens that map to them.
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `create table if not exists tenants (
       tenant_id text primary key check (tenant_id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
       display_name text not null default '',
       created_at timestamptz not null default now()
     )`,
    // The tenant used when no tokens are configured (single-tenant local use).
    `insert into tenants (tenant_id, display_name) values ('default', 'single-tenant default') on conflict do nothing`,
    `create table if not exists api_tokens (
       token_hash text primary key,
       tenant_id text not null references tenants (tenant_id) on delete cascade,
       label text not null default '',
       created_at timestamptz not null default now(),
       revoked_at timestamptz
     )`,
    `create index if not exists api_tokens_tenant_idx on api_tokens (tenant_id)`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, ['drop table if exists api_tokens', 'drop table if exists tenants']);
}
