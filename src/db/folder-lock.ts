// One process per embedded data folder: PGlite has no locking of its own, and two processes (say `npm start` and
// a CLI command) opening one folder each kept their own copy of the data and lost the other's writes.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
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

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return Number.isInteger(owner.pid) ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** A held folder lock; `release` is idempotent and also runs when the process exits. */
export interface FolderLock {
  release(): void;
}

/**
 * Takes the exclusive lock of an embedded data folder: a lock file holding the owner's pid, created atomically.
 * A lock left by a process that no longer runs is taken over. Held by a live process (this one included: two
 * PGlite instances on one folder corrupt it as surely), it fails with FAILED_PRECONDITION naming the holder and
 * what to do instead.
 */
export function lockDataFolder(dir: string): FolderLock {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(path);
      if (owner && alive(owner.pid)) {
        throw failedPrecondition(
          `the data folder ${dir} is in use by process ${owner.pid} (${owner.command}, since ${owner.startedAt}); ` +
            'an embedded database has one process at a time: stop that process first, or while it runs make the change through its API ' +
            '(gRPC), or use Postgres (DATABASE_URL) to share one database between processes',
        );
      }
      // NOTE: a stale lock (its process is gone, or the file is unreadable after a crash mid-write): take it over.
      try {
        unlinkSync(path);
      } catch {
        // another process took it over first; try again
      }
      continue;
    }
    const owner: LockOwner = { pid: process.pid, startedAt: new Date().toISOString(), command: process.argv.slice(1).join(' ').slice(0, 200) };
    writeSync(fd, JSON.stringify(owner));
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      if (readOwner(path)?.pid === process.pid) {
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
  throw failedPrecondition(`cannot take the lock of the data folder ${dir}: other processes keep taking it; retry`);
}
