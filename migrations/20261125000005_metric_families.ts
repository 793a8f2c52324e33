// The idempotency ledger of metric records and the six record families (daily snapshots are separate).
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

/** Columns every family table starts with. */
const RECORD_KEY = `tenant_id text not null,
       record_id text not null,
       observed_at timestamptz not null`;

/** A post family: its rows die with their post. */
function postFamily(table: string, columns: string): string[] {
  return [
    `create table if not exists ${table} (
       ${RECORD_KEY},
       post_id text not null,
       ${columns},
       primary key (tenant_id, record_id),
       foreign key (tenant_id, post_id) references posts (tenant_id, post_id) on delete cascade
     )`,
    // "Latest observation per post" and per-post queries.
    `create index if not exists ${table}_post_idx on ${table} (tenant_id, post_id, observed_at desc)`,
    // The daily run and range queries read one day of observations.
    `create index if not exists ${table}_observed_idx on ${table} (tenant_id, observed_at)`,
  ];
}

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    // NOTE: (tenant_id, record_id) is unique across all families, so a retried record is never written twice;
    // payload_hash tells a retry (same hash) from a conflicting reuse of the id (different hash).
    `create table if not exists metric_records (
       tenant_id text not null references tenants (tenant_id) on delete cascade,
       record_id text not null,
       family text not null,
       payload_hash bytea not null,
       observed_at timestamptz not null,
       received_at timestamptz not null default now(),
       primary key (tenant_id, record_id)
     )`,
    ...postFamily(
      'retention_metrics',
      `views bigint not null,
       average_view_duration_s double precision not null,
       completion_rate double precision not null,
       rewatch_rate double precision not null,
       skip_rate_first_3s double precision not null,
       retention_curve real[]`,
    ),
    ...postFamily(
      'engagement_metrics',
      `likes bigint not null,
       comments bigint not null,
       shares bigint not null,
       saves bigint not null,
       follows bigint not null,
       reach bigint not null,
       impressions bigint not null`,
    ),
    ...postFamily(
      'viewer_behavior',
      `traffic_sources jsonb not null default '{}',
       new_viewer_fraction double precision not null,
       returning_viewer_fraction double precision not null,
       audience_regions jsonb not null default '{}',
       watch_time_distribution real[]`,
    ),
    `create table if not exists engine_performance (
       ${RECORD_KEY},
       engine text not null,
       operation text not null,
       content_id text not null default '',
       latency_ms double precision not null,
       cost_usd double precision not null,
       success boolean not null,
       quality_outputs jsonb not null default '{}',
       error_message text not null default '',
       primary key (tenant_id, record_id)
     )`,
    `create index if not exists engine_performance_engine_idx on engine_performance (tenant_id, engine, operation, observed_at)`,
    `create index if not exists engine_performance_observed_idx on engine_performance (tenant_id, observed_at)`,
    `create index if not exists engine_performance_content_idx on engine_performance (tenant_id, content_id)`,
    `create table if not exists satellite_performance (
       ${RECORD_KEY},
       satellite_account text not null,
       platform text not null,
       posts_count bigint not null,
       followers_gained bigint not null,
       reach bigint not null,
       views bigint not null,
       primary key (tenant_id, record_id)
     )`,
    `create index if not exists satellite_performance_account_idx on satellite_performance (tenant_id, satellite_account, observed_at desc)`,
    `create index if not exists satellite_performance_observed_idx on satellite_performance (tenant_id, observed_at)`,
    `create table if not exists meta_learning_scores (
       ${RECORD_KEY},
       component text not null,
       metric text not null,
       score double precision not null,
       context jsonb not null default '{}',
       primary key (tenant_id, record_id)
     )`,
    `create index if not exists meta_learning_scores_component_idx on meta_learning_scores (tenant_id, component, metric, observed_at)`,
    `create index if not exists meta_learning_scores_observed_idx on meta_learning_scores (tenant_id, observed_at)`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    ['meta_learning_scores', 'satellite_performance', 'engine_performance', 'viewer_behavior', 'engagement_metrics', 'retention_metrics', 'metric_records'].map(
      (t) => `drop table if exists ${t}`,
    ),
  );
}
