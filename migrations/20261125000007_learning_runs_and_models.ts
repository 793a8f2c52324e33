// The history of learning runs (one per tenant and day) and the versions of learned models.
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `create table if not exists learning_runs (
       tenant_id text not null references tenants (tenant_id) on delete cascade,
       day date not null,
       status text not null check (status in ('running', 'succeeded', 'failed')),
       trigger text not null default 'api',
       attempt integer not null default 1,
       started_at timestamptz not null,
       finished_at timestamptz,
       steps jsonb not null default '[]',
       rows_read bigint not null default 0,
       latest_observed_at timestamptz,
       model_versions jsonb not null default '{}',
       error_message text not null default '',
       report jsonb,
       primary key (tenant_id, day)
     )`,
    `create index if not exists learning_runs_status_idx on learning_runs (tenant_id, status, day)`,
    `create table if not exists learned_models (
       tenant_id text not null references tenants (tenant_id) on delete cascade,
       model_name text not null,
       version text not null,
       trained_on_day date not null,
       created_at timestamptz not null default now(),
       params jsonb not null,
       evaluation jsonb not null default '{}',
       promoted boolean not null default false,
       primary key (tenant_id, model_name, version)
     )`,
    // At most one promoted (current) version per tenant and model.
    `create unique index if not exists learned_models_promoted_idx on learned_models (tenant_id, model_name) where promoted`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, ['drop table if exists learned_models', 'drop table if exists learning_runs']);
}
