// The command line: `stakazo-ml <command>`. One module per command under src/cli/; long work shows progress.
import { ConfigError, loadConfig } from './config.js';
import { openApp } from './app.js';
import { AppError } from './errors.js';
import { backupCommand, restoreCommand } from './cli/backup.js';
import { cliLogger, UsageError, type Command } from './cli/common.js';
import { exportCommand } from './cli/export.js';
import { learnCommand } from './cli/learn.js';
import { reportCommand } from './cli/report.js';
import { seedDemoCommand } from './cli/seed-demo.js';
import { tokensCommand } from './cli/tokens.js';

const serveCommand: Command = {
  name: 'serve',
  summary: 'run the gRPC server (same as npm start)',
  help: 'usage: stakazo-ml serve\n\nRuns the service with the settings of the environment (see the README); stops gracefully on SIGTERM/SIGINT.',
  async run() {
    await import('./main.js');
    return -1;
  },
};

const migrateCommand: Command = {
  name: 'migrate',
  summary: 'bring the database schema up to date and exit',
  help: 'usage: stakazo-ml migrate\n\nApplies pending migrations to the database of DATABASE_URL / DATA_DIR (safe to run from several replicas).',
  async run() {
    const app = await openApp(loadConfig(), cliLogger());
    await app.close();
    const applied = app.migrationsApplied;
    process.stdout.write(applied.length ? `applied ${applied.length} migrations: ${applied.join(', ')}\n` : 'schema already up to date\n');
    return 0;
  },
};

const COMMANDS: Command[] = [
  serveCommand,
  migrateCommand,
  seedDemoCommand,
  learnCommand,
  reportCommand,
  tokensCommand,
  exportCommand,
  backupCommand,
  restoreCommand,
];

const USAGE = `usage: stakazo-ml <command> [options]      (npm run cli -- <command> [options])

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}
  help         this help; "stakazo-ml <command> --help" explains a command

Every command but serve works in-process on the database (DATABASE_URL for Postgres, else the embedded one in
DATA_DIR, default ./data), so it needs no running server. An embedded DATA_DIR has one process at a time: while a
server runs on it, commands refuse and name the server's pid. See the README for every setting.
Exit codes: 0 ok, 1 failure, 2 bad usage or settings.`;

async function run(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const command = COMMANDS.find((c) => c.name === args[0]);
    process.stdout.write(`${command ? command.help : USAGE}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"`, USAGE);
  return command.run(args);
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`stakazo-ml: ${err.message}${err.help ? `\n\n${err.help}` : ''}\n`);
      process.exit(2);
    }
    if (err instanceof ConfigError || (err instanceof AppError && err.kind === 'invalid_argument')) {
      process.stderr.write(`stakazo-ml: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`stakazo-ml: ${err instanceof AppError ? err.message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(1);
  },
);
