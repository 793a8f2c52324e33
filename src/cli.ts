// The command line: `stakazo-ml <command>`. Each command is small; long work shows progress.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { assertReachable, openDb, type Db } from './db/connect.js';
import { migrateLatest } from './db/migrate.js';
import { AppError } from './errors.js';
import { TenancyRepository } from './tenancy/tenancy.repository.js';
import { createToken, revokeToken, tokenId } from './tenancy/tokens.js';

const USAGE = `usage: stakazo-ml <command> [options]

commands:
  serve                              run the gRPC server (same as npm start)
  migrate                            bring the database schema up to date and exit
  tokens create --tenant T [--label L]   create an API token for tenant T (printed once)
  tokens revoke <token-or-id>        revoke a token
  tokens list                        list tokens (ids, tenants, state; never the tokens)
  help                               show this help

The database comes from DATABASE_URL (Postgres) or DATA_DIR (embedded); see the README for every setting.
Exit codes: 0 ok, 1 failure, 2 bad usage or settings.`;

class UsageError extends Error {}

/** Opens and migrates the configured database, runs `fn`, closes it. */
async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const options = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };
  const db = await openDb(options);
  try {
    await assertReachable(db, options);
    await migrateLatest(db.knex);
    return await fn(db);
  } finally {
    await db.close();
  }
}

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

async function tokens(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { tenant: { type: 'string' }, label: { type: 'string' } },
    allowPositionals: true,
  });
  await withDatabase(async (db) => {
    const repo = new TenancyRepository(db.knex);
    if (action === 'create') {
      if (!values.tenant) throw new UsageError('tokens create needs --tenant <tenant-id>');
      const { token, id } = await createToken(repo, values.tenant, values.label ?? '');
      process.stdout.write(`tenant: ${values.tenant}\nid:     ${id}\ntoken:  ${token}\n(keep it: it is not stored and cannot be shown again)\n`);
    } else if (action === 'revoke') {
      if (positionals.length !== 1) throw new UsageError('tokens revoke needs exactly one token or token id');
      const n = await revokeToken(repo, positionals[0]);
      process.stdout.write(`revoked ${n} token${n === 1 ? '' : 's'}\n`);
    } else if (action === 'list') {
      for (const t of await repo.listTokens()) {
        process.stdout.write(`${tokenId(t.tokenHash)}  ${t.tenantId.padEnd(20)} ${t.revokedAt ? 'revoked' : 'active '}  ${t.label}\n`);
      }
    } else {
      throw new UsageError(`unknown tokens action "${action ?? ''}" (create, revoke or list)`);
    }
  });
}

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      await import('./main.js');
      return -1;
    case 'migrate':
      await migrate();
      return 0;
    case 'tokens':
      await tokens(args);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case undefined:
      process.stderr.write(`${USAGE}\n`);
      return 2;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`stakazo-ml: ${(err as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`stakazo-ml: ${err instanceof AppError ? err.message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(1);
  },
);
