// Experiments (owned by the experiment area): definitions, posts assigned to variants, and the daily results.
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

const METRICS = `('views', 'completion_rate', 'engagement_rate', 'first_3s_loss')`;
const DECISIONS = `('continue', 'stop_winner', 'stop_no_effect', 'stop_guardrail')`;

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `create table if not exists experiments (
       tenant_id text not null references tenants (tenant_id) on delete cascade,
       experiment_id text not null,
       name text not null,
       hypothesis text not null default '',
       variants text[] not null check (cardinality(variants) >= 2),
       primary_metric text not null check (primary_metric in ${METRICS}),
       guardrail_metrics text[] not null default '{}',
       platform text check (platform in ('tiktok', 'instagram', 'youtube', 'facebook', 'x')),
       minimum_detectable_effect double precision not null check (minimum_detectable_effect > 0),
       horizon_hours integer not null check (horizon_hours > 0),
       planned_end_day date not null,
       covariate_adjustment boolean not null default true,
       status text not null default 'running' check (status in ('running', 'stopped')),
       decision text check (decision in ${DECISIONS}),
       decision_reason text not null default '',
       winner_variant text not null default '',
       created_at timestamptz not null default now(),
       stopped_at timestamptz,
       primary key (tenant_id, experiment_id)
     )`,
    // ListExperiments pages newest first; the daily run reads the running ones.
    `create index if not exists experiments_created_idx on experiments (tenant_id, created_at desc, experiment_id desc)`,
    `create index if not exists experiments_status_idx on experiments (tenant_id, status)`,
    // NOTE: no foreign key to posts (the metrics area owns them): AddPosts checks the posts exist; a post deleted
    // later simply has no outcome.
    `create table if not exists experiment_posts (
       tenant_id text not null,
       experiment_id text not null,
       post_id text not null,
       variant text not null,
       added_at timestamptz not null default now(),
       primary key (tenant_id, experiment_id, post_id),
       foreign key (tenant_id, experiment_id) references experiments (tenant_id, experiment_id) on delete cascade
     )`,
    `create table if not exists experiment_results (
       tenant_id text not null,
       experiment_id text not null,
       day date not null,
       decision text not null check (decision in ${DECISIONS}),
       result jsonb not null,
       computed_at timestamptz not null default now(),
       primary key (tenant_id, experiment_id, day),
       foreign key (tenant_id, experiment_id) references experiments (tenant_id, experiment_id) on delete cascade
     )`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, ['drop table if exists experiment_results', 'drop table if exists experiment_posts', 'drop table if exists experiments']);
}
