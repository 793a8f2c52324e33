// Daily snapshots: per tenant, day and platform aggregates written by the learning run.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table if not exists daily_snapshots (
     tenant_id text not null references tenants (tenant_id) on delete cascade,
     day date not null,
     platform text not null,
     posts_count bigint not null,
     views bigint not null,
     average_retention double precision not null,
     completion_rate double precision not null,
     engagement_rate double precision not null,
     saves_rate double precision not null,
     shares_rate double precision not null,
     first_3s_loss double precision not null,
     top_performers jsonb not null default '[]',
     built_at timestamptz not null default now(),
     primary key (tenant_id, day, platform)
   )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists daily_snapshots');
}
