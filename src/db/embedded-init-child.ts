// The child process of src/db/embedded-init.ts: creates (initdb) and migrates an embedded database in the folder
// given as its argument, then exits, returning initdb's memory to the system.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import knexPkg, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { migrateLatest } from './migrate.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: embedded-init-child <empty folder>\n');
  process.exit(2);
}
try {
  const pglite = await PGlite.create({ dataDir: dir, extensions: { vector } });
  const knex = knexPkg.knex({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
  });
  await migrateLatest(knex);
  await knex.destroy();
  if (!pglite.closed) await pglite.close();
  process.exit(0);
} catch (err) {
  process.stderr.write(`${(err as Error).message.split('\n')[0]}\n`);
  process.exit(1);
}
