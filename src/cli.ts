// The command line: `stakazo-ml <command>`. One module per command under src/cli/, imported only when that command
// runs (and each command imports the app only after its options are parsed), so help and usage errors load Node's
// built-ins and little else. Errors are one line; `--debug` adds the stack.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { Command } from './cli/usage.js';

interface Entry {
  name: string;
  summary: string;
  /** A short command: the embedded database's WebAssembly is compiled by V8's baseline compiler only (see run). */
  short?: boolean;
  load(): Promise<Command>;
}

const COMMANDS: Entry[] = [
  { name: 'serve', summary: 'run the gRPC server (same as npm start)', load: async () => (await import('./cli/serve.js')).serveCommand },
  { name: 'migrate', short: true, summary: 'bring the database schema up to date and exit', load: async () => (await import('./cli/serve.js')).migrateCommand },
  {
    name: 'seed-demo',
    summary: 'load a realistic demo world (posts, retention, embeddings) and learn it',
    load: async () => (await import('./cli/seed-demo.js')).seedDemoCommand,
  },
  { name: 'learn', summary: 'learn a day or a range of days (progress bar)', load: async () => (await import('./cli/learn.js')).learnCommand },
  { name: 'report', short: true, summary: 'write the learning report page (HTML) of a day', load: async () => (await import('./cli/report.js')).reportCommand },
  { name: 'tokens', short: true, summary: 'create, revoke or list API tokens', load: async () => (await import('./cli/tokens.js')).tokensCommand },
  {
    name: 'tenant',
    summary: "show a tenant's settings or opt it in or out of learning across artists",
    load: async () => (await import('./cli/tenant.js')).tenantCommand,
  },
  {
    name: 'export',
    summary: 'export metric records to CSV, NDJSON or Parquet (progress bar)',
    load: async () => (await import('./cli/export.js')).exportCommand,
  },
  {
    name: 'backup',
    short: true,
    summary: 'write the embedded database to a file (also while the server runs)',
    load: async () => (await import('./cli/backup.js')).backupCommand,
  },
  {
    name: 'restore',
    short: true,
    summary: 'replace the embedded database by a backup (server stopped)',
    load: async () => (await import('./cli/backup.js')).restoreCommand,
  },
];

const USAGE = `usage: stakazo-ml <command> [options]      (npm run cli -- <command> [options])

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}
  help         this help; "stakazo-ml <command> --help" explains a command
  --version    the version of stakazo-ml

Every command but serve works in-process on the database (DATABASE_URL for Postgres, else the embedded one in
DATA_DIR, default ./data), so it needs no running server. An embedded DATA_DIR has one process at a time: while a
server runs on it, commands refuse and name the server's pid. See the README for every setting.
--debug (anywhere) prints the stack of an error. Exit codes: 0 ok, 1 failure, 2 bad usage or settings.`;

/** The package's version: package.json is one folder up from src/ and two from dist/src/. */
function version(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'stakazo-ml' && pkg.version) return pkg.version;
    } catch {
      // not there: the other layout
    }
  }
  return 'unknown';
}

/** Bad usage before a command runs (the command list explains it). */
class TopLevelUsage extends Error {}

async function run(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`stakazo-ml ${version()}\n`);
    return 0;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const entry = COMMANDS.find((c) => c.name === args[0]);
    process.stdout.write(`${entry ? (await entry.load()).help : USAGE}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) throw new TopLevelUsage(`unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  // NOTE: a short command opens the embedded database for a few statements: compiling PGlite's WebAssembly with the
  // baseline compiler only (no background optimising tier-up) opens it in 1.2 s instead of 1.7 s and 1.3 CPU-s
  // instead of 2.2 (measured on 2 cores). Long work (serve, seed-demo, learn, export) keeps the optimising tier: its
  // queries run ~25 % faster with it. Set before the command loads PGlite; nothing else is compiled as WebAssembly.
  if (entry.short) setFlagsFromString('--liftoff-only');
  return (await entry.load()).run(args);
}

/** The one line printed for a failure: the message's first line, or the whole stack with --debug. */
function describe(err: unknown, debug: boolean): string {
  if (!(err instanceof Error)) return String(err);
  if (debug && err.stack) return err.stack;
  return err.message.split('\n')[0]!;
}

/** Exit code of a failure: 2 for usage and settings, 1 for the rest. */
async function exitCodeOf(err: unknown): Promise<number> {
  if (err instanceof TopLevelUsage || (err instanceof Error && err.name === 'UsageError')) return 2;
  // Loaded only on this path: a command that failed has loaded them already.
  const [{ ConfigError }, { AppError }] = await Promise.all([import('./config.js'), import('./errors.js')]);
  if (err instanceof ConfigError || (err instanceof AppError && err.kind === 'invalid_argument')) return 2;
  return 1;
}

const debug = process.argv.includes('--debug');
const argv = process.argv.slice(2).filter((a) => a !== '--debug');

run(argv).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  async (err: unknown) => {
    const code = await exitCodeOf(err);
    const usage = err instanceof Error && err.name === 'UsageError';
    const hint = err instanceof TopLevelUsage ? '\nsee stakazo-ml --help' : usage ? `\nsee stakazo-ml ${argv[0]} --help` : '';
    process.stderr.write(`stakazo-ml: ${describe(err, debug)}${hint}\n`);
    process.exit(code);
  },
);
