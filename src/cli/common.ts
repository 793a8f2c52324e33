// What every CLI command shares: usage errors, option parsing with --help, the database, tenants and days.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pino } from 'pino';
import { openApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import type { Logger } from '../log.js';

/** Bad usage: the message says what is wrong; the process exits with code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The help of the command, printed after the message. */
    readonly help?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A CLI command: `run` returns the exit code (-1: keep the process running). */
export interface Command {
  name: string;
  summary: string;
  help: string;
  run(args: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's options; `--help`/`-h` prints its help and returns undefined. Unknown options and missing
 * values become a UsageError carrying the help.
 */
export function parseCommand<O extends Options>(
  args: string[],
  options: O,
  help: string,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>> | undefined {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${help}\n`);
    return undefined;
  }
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message, help);
  }
}

/** A whole number option in [min, max]. */
export function integerOption(value: string | undefined, name: string, fallback: number, min: number, max: number, help: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`--${name} "${value}" must be a whole number in ${min}..${max}`, help);
  return Number(value);
}

/** A YYYY-MM-DD option (the service checks the rest, e.g. that the day is over). */
export function dayOption(value: string | undefined, name: string, help: string): string {
  if (value === undefined) throw new UsageError(`--${name} is required (a day, YYYY-MM-DD)`, help);
  const date = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`--${name} "${value}" is not a calendar day in the form YYYY-MM-DD`, help);
  }
  return value;
}

/** The CLI's logger: JSON on stderr (stdout carries the command's output), level LOG_LEVEL or warn. */
export function cliLogger(): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? 'warn', base: { service: 'stakazo-ml-cli' } }, pino.destination(2));
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
