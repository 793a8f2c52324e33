// The command line: `stakazo-ml <command>`. Each command is small; long work shows progress.
import { ConfigError, loadConfig } from './config.js';
import { assertReachable, openDb } from './db/connect.js';
import { migrateLatest } from './db/migrate.js';

const USAGE = `usage: stakazo-ml <command>

commands:
  serve      run the gRPC server (same as npm start)
  migrate    bring the database schema up to date and exit
  help       show this help

Settings come from environment variables; see the README.`;

async function migrate(): Promise<void> {
  const config = loadConfig();
  const options = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };
  const db = await openDb(options);
  try {
    await assertReachable(db, options);
    const applied = await migrateLatest(db.knex);
    process.stdout.write(applied.length ? `applied ${applied.length} migrations: ${applied.join(', ')}\n` : 'schema already up to date\n');
  } finally {
    await db.close();
  }
}

async function run(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'serve':
      await import('./main.js');
      return -1;
    case 'migrate':
      await migrate();
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`stakazo-ml: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`stakazo-ml: ${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
