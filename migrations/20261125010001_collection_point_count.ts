// Keeps each collection's point count in the registry: read in O(1) and checked against
// LIMIT_MAX_POINTS_PER_COLLECTION in the same transaction that writes the points.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table collections add column if not exists point_count bigint not null default 0');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table collections drop column if exists point_count');
}
