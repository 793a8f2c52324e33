// Loaded by mocha before any test (.mocharc.json "require"): on Postgres, each parallel mocha worker gets a database
// of its own (`<database>_w<worker id>`, created on first use), so the files of one worker never see another
// worker's tenants, tokens or collections — as when the files ran one after the other. Test servers and child
// processes read DATABASE_URL, so pointing it at the worker's database here is all it takes.
import pg from 'pg';

const url = process.env.DATABASE_URL;
const worker = process.env.MOCHA_WORKER_ID;

if (url && worker !== undefined) {
  const own = new URL(url);
  const database = `${own.pathname.slice(1) || 'postgres'}_w${worker}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database "${database}"`);
  } catch (err) {
    // 42P04: it exists (an earlier run, or a restarted worker); its migrations are already there.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await admin.end();
  }
  own.pathname = `/${database}`;
  process.env.DATABASE_URL = own.toString();
}
