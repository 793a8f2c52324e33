// Helpers for migrations and repositories that run several SQL statements.
import type { Knex } from 'knex';

/** Runs statements one by one (PGlite through knex accepts one statement per call). */
export async function runStatements(knex: Knex, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}
