// Content items (with their pre-publication features) and posts (one publication on one platform).
import type { Knex } from 'knex';
import { runStatements } from '../src/db/sql.js';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `create table if not exists content (
       tenant_id text not null references tenants (tenant_id) on delete cascade,
       content_id text not null,
       duration_s double precision not null check (duration_s > 0),
       quality_score double precision not null default 0,
       aesthetic_score double precision not null default 0,
       caption_length_chars integer not null default 0,
       cta_in_first_5s boolean not null default false,
       hashtag_count integer not null default 0,
       metadata jsonb not null default '{}',
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       primary key (tenant_id, content_id)
     )`,
    `create table if not exists posts (
       tenant_id text not null,
       post_id text not null,
       content_id text not null,
       platform text not null check (platform in ('tiktok', 'instagram', 'youtube', 'facebook', 'x')),
       account text not null default '',
       published_at timestamptz not null,
       time_zone text not null default 'UTC',
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       primary key (tenant_id, post_id),
       foreign key (tenant_id, content_id) references content (tenant_id, content_id) on delete cascade
     )`,
    `create index if not exists posts_content_idx on posts (tenant_id, content_id)`,
    // Best time to post and platform comparisons read posts of one platform in a time range.
    `create index if not exists posts_platform_published_idx on posts (tenant_id, platform, published_at)`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, ['drop table if exists posts', 'drop table if exists content']);
}
