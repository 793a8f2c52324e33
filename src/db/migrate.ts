// Runs the knex migrations in migrations/, from either the TypeScript sources or the compiled output.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const MIGRATION_FILE = /^\d{14}_[a-z0-9_]+\.(ts|js)$/;

/** Where the migrations are: <root>/migrations beside src/ (or dist/migrations when compiled). */
export function migrationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', 'migrations');
}

/** Lists migrations/*.ts (or *.js) in name order and imports them on demand. */
class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<string[]> {
    return readdirSync(this.dir)
      .filter((f) => MIGRATION_FILE.test(f) && !f.endsWith('.d.ts'))
      .sort();
  }

  getMigrationName(file: string): string {
    // Same name whether run from .ts or compiled .js, so the two never disagree on what ran.
    return file.replace(/\.(ts|js)$/, '');
  }

  async getMigration(file: string): Promise<Knex.Migration> {
    return import(pathToFileURL(join(this.dir, file)).href) as Promise<Knex.Migration>;
  }
}

const LOCK_RETRY_MS = 250;
const LOCK_WAIT_MS = 120_000;

/**
 * Brings the schema up to date. Safe to call from many replicas at once: knex's lock table lets one run,
 * the others wait for it and then find nothing to do.
 */
export async function migrateLatest(knex: Knex, dir = migrationsDir()): Promise<string[]> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const [, applied] = (await knex.migrate.latest({ migrationSource: new DirectoryMigrationSource(dir) })) as [number, string[]];
      return applied;
    } catch (err) {
      if ((err as Error).name !== 'MigrationLocked' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    }
  }
}

/** Rolls back every migration (used by tests of the `down` functions). */
export async function migrateRollbackAll(knex: Knex, dir = migrationsDir()): Promise<void> {
  await knex.migrate.rollback({ migrationSource: new DirectoryMigrationSource(dir) }, true);
}
