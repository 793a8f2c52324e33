// A database that no other test file writes to, for tests whose outcome depends on every row in it (retention
// looks at all tenants' data): on PGlite every test server already has a folder of its own; on Postgres a new
// database beside DATABASE_URL's (the worker's database is shared by the files of a worker and by earlier runs).
import pg from 'pg';
import { BACKEND, uniq } from './server.js';

export interface FreshDatabase {
  /** Settings to pass to startTestServer (none on PGlite). */
  env: Record<string, string>;
  /** Drops the database (after the server using it has stopped). */
  drop(): Promise<void>;
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database (the server migrates it on start). */
export async function freshDatabase(prefix = 'stakazo_fresh_'): Promise<FreshDatabase> {
  if (BACKEND === 'pglite') return { env: {}, drop: async () => undefined };
  const base = process.env.DATABASE_URL!;
  const name = uniq(prefix);
  await admin(base, (client) => client.query(`create database ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    drop: () => admin(base, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
