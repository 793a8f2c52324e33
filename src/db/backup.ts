// Backup and restore of the embedded (PGlite) database: a gzipped tar of its data folder. A dump runs between
// queries (PGlite's query lock) after a CHECKPOINT, so it is the state of the last committed transactions; an
// open transaction's writes are not in it (PostgreSQL's crash recovery on restore discards them).
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { failedPrecondition, invalidArgument } from '../errors.js';
import { openDb, type Db } from './connect.js';
import { ADMIN_FILE, LOCK_FILE, lockDataFolder } from './folder-lock.js';

/** Files of this service in a data folder that belong to the process, not to the database. */
export const PROCESS_FILES = [LOCK_FILE, ADMIN_FILE];

/** Dumps an open embedded database as a gzipped tar of its data folder. */
export async function dumpEmbedded(db: Db): Promise<Uint8Array> {
  if (!db.pglite) throw failedPrecondition('backup dumps the embedded database; on Postgres use pg_dump (see the README)');
  await db.pglite.exec('checkpoint');
  const archive = await db.pglite.dumpDataDir('gzip');
  return new Uint8Array(await archive.arrayBuffer());
}

/** Dumps the embedded database of `dataDir` when no process has it open (takes its folder lock meanwhile). */
export async function dumpDataFolder(dataDir: string): Promise<Uint8Array> {
  const db = await openDb({ dataDir });
  try {
    return await dumpEmbedded(db);
  } finally {
    await db.close();
  }
}

/** A gzip stream starts with 1f 8b. */
function assertGzip(archive: Uint8Array): void {
  if (archive.length < 2 || archive[0] !== 0x1f || archive[1] !== 0x8b)
    throw invalidArgument('the file is not a backup of stakazo-ml (a gzipped tar written by "stakazo-ml backup")', 'FILE');
}

/**
 * Replaces the embedded database of `dataDir` by a backup. It needs the folder lock (no server or command may
 * have the folder open); the backup is unpacked and opened in a sibling folder first, so a bad file changes
 * nothing; then the current folder is moved aside (returned) and the restored one takes its place.
 */
export async function restoreDataFolder(dataDir: string, archive: Uint8Array, now = new Date()): Promise<{ previousDir?: string }> {
  assertGzip(archive);
  const dir = resolve(dataDir);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const staging = join(dirname(dir), `${basename(dir)}.restoring-${process.pid}`);
  const previous = join(dirname(dir), `${basename(dir)}.before-restore-${stamp}`);
  const existed = existsSync(dir) && readdirSync(dir).length > 0;
  const lock = existed ? lockDataFolder(dir) : undefined;
  try {
    rmSync(staging, { recursive: true, force: true });
    try {
      const pglite = await PGlite.create({ dataDir: staging, extensions: { vector }, loadDataDir: new Blob([archive as Uint8Array<ArrayBuffer>]) });
      await pglite.query('select 1');
      await pglite.close();
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw invalidArgument(`the backup cannot be opened as a database: ${(err as Error).message}`, 'FILE');
    }
    // NOTE: the archive holds the lock (and admin) file of the process that made it; they are not database files.
    for (const file of PROCESS_FILES) rmSync(join(staging, file), { force: true });
    if (existed) renameSync(dir, previous);
    else rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    if (existed) for (const file of PROCESS_FILES) rmSync(join(previous, file), { force: true });
    return { previousDir: existed ? previous : undefined };
  } finally {
    lock?.release();
  }
}
