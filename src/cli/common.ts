// What the CLI commands share once their options are parsed: the logger, the database, tenants. Commands import
// it lazily (after parsing), so help and usage errors never load the app; usage.ts has the light part.
import { pino } from 'pino';
import { openApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import type { Logger } from '../log.js';
import { UsageError } from './usage.js';

/**
 * The CLI's logger: JSON on stderr (stdout carries the command's output), level LOG_LEVEL, else error (debug with
 * --debug). NOTE: not warn: a failed connection's warnings carry stacks, and the error itself is said in one line.
 */
export function cliLogger(): Logger {
  return pino(
    { level: process.env.LOG_LEVEL || (process.argv.includes('--debug') ? 'debug' : 'error'), base: { service: 'stakazo-ml-cli' } },
    pino.destination(2),
  );
}

/** What a command works with: the settings, the open and migrated database and the services (see src/app.ts). */
export type CliContext = App;

/** Opens and migrates the configured database (DATABASE_URL or DATA_DIR), runs `fn` with the app, closes it. */
export async function withDatabase<T>(fn: (context: CliContext) => Promise<T>): Promise<T> {
  const app = await openApp(loadConfig(), cliLogger());
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** Fails with a UsageError naming the known tenants when `tenantId` does not exist. */
export async function requireTenant(context: CliContext, tenantId: string): Promise<void> {
  const tenants = await context.services.tenancy.listTenantIds();
  if (!tenants.includes(tenantId)) {
    throw new UsageError(
      `unknown tenant "${tenantId}" (known: ${tenants.join(', ') || 'none'}); create it with "tokens create --tenant ${tenantId}" or "seed-demo --tenant ${tenantId}"`,
    );
  }
}
