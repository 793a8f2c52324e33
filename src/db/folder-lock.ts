// One process per embedded data folder: PGlite has no locking of its own, and two processes (say `npm start` and
// a CLI command) opening one folder each kept their own copy of the data and lost the other's writes.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { failedPrecondition } from '../errors.js';

/** The lock file's name inside the data folder. */
export const LOCK_FILE = 'stakazo-ml.lock';
/** The running server's admin endpoint file inside the data folder (src/admin/admin-endpoint.ts). */
export const ADMIN_FILE = 'stakazo-ml.admin.json';

interface LockOwner {
  pid: number;
  startedAt: string;
  command: string;
}

/** Whether a process with this pid is alive (EPERM: alive, owned by another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The raw text of a lock (or marker) file, undefined when there is none. */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function ownerOf(text: string | undefined): LockOwner | undefined {
  try {
    const owner = JSON.parse(text ?? '') as Partial<LockOwner>;
    return Number.isInteger(owner.pid) ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates `path` holding `text`, atomically and only if it does not exist: the text goes to a new file of our own
 * (opened exclusively, so never through a planted link), then a hard link gives it its name. Readers never see a
 * half-written lock. Returns false when `path` exists.
 */
function createExclusive(path: string, text: string): boolean {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(temp);
  }
}

/** A lock text of this process: the owner plus a token unique to this taking, so no two lock files read alike. */
function ownText(command: string): string {
  const owner = { pid: process.pid, startedAt: new Date().toISOString(), command, token: randomBytes(8).toString('hex') };
  return JSON.stringify(owner);
}

/**
 * Removes `path` if it still holds `staleText` (a lock or marker whose process is dead), safely against others doing
 * the same: only the taker that creates the marker named after that very text may remove it, and it checks the text
 * again first. Nothing else ever removes a file holding a dead owner's text (its owner cannot release it), so the
 * check and the removal cannot be separated by a change. A marker left by a taker that died is itself removed the
 * same way (a marker of the marker). Returns false when another live taker is at it (retry later).
 * NOTE: "read, delete, recreate" without this let two of 30 racing takers both hold the folder in 25 of 30 trials.
 */
function removeIfStale(path: string, staleText: string, depth = 0): boolean {
  if (depth > 3) return false;
  const marker = `${path}.takeover-${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`;
  const mine = ownText('taking over a stale lock');
  if (!createExclusive(marker, mine)) {
    const markerText = readText(marker);
    if (markerText === undefined) return false;
    const taker = ownerOf(markerText);
    if (taker && alive(taker.pid)) return false;
    removeIfStale(marker, markerText, depth + 1);
    return false;
  }
  try {
    if (readText(path) === staleText) unlinkSync(path);
    return true;
  } finally {
    if (readText(marker) === mine) unlinkSync(marker);
  }
}

/** A held folder lock; `release` is idempotent and also runs when the process exits. */
export interface FolderLock {
  release(): void;
}

/**
 * Takes the exclusive lock of an embedded data folder: a lock file holding the owner's pid, created atomically
 * (complete or absent, never half-written). A lock left by a process that no longer runs is taken over by exactly
 * one taker however many race for it. Held by a live process (this one included: two PGlite instances on one folder
 * corrupt it as surely), it fails with FAILED_PRECONDITION naming the holder and what to do instead.
 */
export function lockDataFolder(dir: string): FolderLock {
  const path = join(dir, LOCK_FILE);
  const text = ownText(process.argv.slice(1).join(' ').slice(0, 200));
  for (let attempt = 0; attempt < 50; attempt++) {
    if (createExclusive(path, text)) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        // NOTE: only our own lock: after a takeover by another process (ours was judged dead), theirs stays.
        if (readText(path) === text) {
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        }
      };
      process.on('exit', release);
      return { release };
    }
    const existing = readText(path);
    if (existing === undefined) continue;
    const owner = ownerOf(existing);
    if (owner && alive(owner.pid)) {
      throw failedPrecondition(
        `the data folder ${dir} is in use by process ${owner.pid} (${owner.command}, since ${owner.startedAt}); ` +
          'an embedded database has one process at a time: stop that process first, or while it runs make the change through its API ' +
          '(gRPC), or use Postgres (DATABASE_URL) to share one database between processes',
      );
    }
    // A stale lock (its process is gone, or an unreadable file an older version left after a crash mid-write).
    // NOTE: while another live taker removes it, wait a moment rather than spin.
    if (!removeIfStale(path, existing)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
  throw failedPrecondition(`cannot take the lock of the data folder ${dir}: other processes keep taking it; retry`);
}
