// The state of the virality model's refresh between daily runs (src/learning/virality/refresh.service.ts): per tenant
// and model, the sufficient statistics of the fit with their watermark, and the ln views each refreshed post was
// counted with (so a post whose views move is counted once, with its newest value). Owned by the learning area.
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `create table if not exists model_refresh_state (
       tenant_id text not null references tenants (tenant_id) on delete cascade,
       model_name text not null,
       base_version text not null,
       base_watermark timestamptz not null,
       watermark timestamptz not null,
       refreshes integer not null default 0,
       stats jsonb not null,
       updated_at timestamptz not null default now(),
       primary key (tenant_id, model_name)
     )`,
    `create table if not exists model_refresh_outcomes (
       tenant_id text not null,
       model_name text not null,
       post_id text not null,
       log_views double precision not null,
       primary key (tenant_id, model_name, post_id),
       foreign key (tenant_id, model_name) references model_refresh_state (tenant_id, model_name) on delete cascade
     )`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, ['drop table if exists model_refresh_outcomes', 'drop table if exists model_refresh_state']);
}
