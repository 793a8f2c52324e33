// What the command line needs before it touches the database: usage errors, the command shape and option
// parsing. Light on purpose (Node built-ins only): `--help` and usage errors load this and nothing else.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_TENANT, tenantIdProblem } from '../tenancy/tenant-id.js';

/**
 * Bad usage: one line saying what is wrong (naming the flag); the CLI adds "see stakazo-ml <command> --help" and
 * exits with code 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A CLI command: `run` returns the exit code (-1: keep the process running). */
export interface Command {
  name: string;
  help: string;
  run(args: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Node's parseArgs message made one line in our words: "Unknown option '--x'", "--day needs a value". */
function parseProblem(err: Error): string {
  const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(err.message);
  if (missing) return `${missing[1]} needs a value`;
  const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(err.message);
  if (ambiguous) return `${ambiguous[1]} needs a value (one that starts with "-" is written ${ambiguous[1]}=-value)`;
  return err.message.split('\n')[0]!;
}

/** `--days -3` as `--days=-3`, so a negative number reaches the option's own check (which names it) as a value. */
function joinNegativeNumbers(args: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = /^--([\w-]+)$/.exec(args[i]!)?.[1];
    const next = args[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else out.push(args[i]!);
  }
  return out;
}

/**
 * Parses a command's options; `--help`/`-h` prints its help and returns undefined. Unknown options and missing
 * values become a UsageError naming the option.
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
    return parseArgs({ args: joinNegativeNumbers(args, options), options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(parseProblem(err as Error));
  }
}

/** A whole number option in [min, max]; anything else (negative, fractional, not a number) names the flag. */
export function integerOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return Number(value);
}

/** A YYYY-MM-DD option (the service checks the rest, e.g. that the day is over). */
export function dayOption(value: string | undefined, name: string): string {
  if (value === undefined) throw new UsageError(`--${name} is required (a day, YYYY-MM-DD)`);
  const date = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`--${name} "${value}" is not a calendar day in the form YYYY-MM-DD`);
  }
  return value;
}

/** A tenant given on the command line (`--tenant` or a positional): its form checked before the database opens. */
export function tenantOption(value: string | undefined, flag = '--tenant'): string {
  const tenantId = value ?? DEFAULT_TENANT;
  const problem = tenantIdProblem(tenantId);
  if (problem) throw new UsageError(`${flag} "${tenantId}" ${problem}`);
  return tenantId;
}
