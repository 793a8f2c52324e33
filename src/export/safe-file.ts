// Writing a file the caller named (--out) without ever writing through something planted there: the data goes to a
// new temporary file of our own beside it (created exclusively, not following links, 0600) and is renamed into
// place once complete; an --out that exists and is not a regular file (a device, a folder, a link, a pipe) is
// refused, so `--out /dev/full` never turns a device node into a regular file.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { invalidArgument } from '../errors.js';

/** Throws when `out` exists and is not a regular file (checked without following a link). */
export function assertWritableOut(out: string): void {
  const stat = lstatSync(out, { throwIfNoEntry: false });
  if (!stat || stat.isFile()) return;
  const kind = stat.isSymbolicLink() ? 'a symbolic link' : stat.isDirectory() ? 'a folder' : 'not a regular file (a device, pipe or socket)';
  throw invalidArgument(`--out ${out} is ${kind}: name a new file or a regular file to replace`, 'out');
}

/** A new temporary file beside its destination, open for writing. */
export interface TempFile {
  path: string;
  fd: number;
  /** Closes it (if still open) and renames it to the destination, checked again just before. */
  commit(): void;
  /** Closes and removes it. */
  discard(): void;
}

/**
 * Creates a temporary file beside `out` with a random name, exclusively (O_EXCL: a file or link already there is
 * an error, never followed) and readable by its owner only.
 */
export function createTempBeside(out: string): TempFile {
  assertWritableOut(out);
  const path = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.partial`);
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    path,
    fd,
    commit() {
      close();
      assertWritableOut(out);
      renameSync(path, out);
    },
    discard() {
      close();
      rmSync(path, { force: true });
    },
  };
}

/** Writes `data` to `out` through a temporary file beside it: `out` appears complete or not at all. */
export function writeFileSafely(out: string, data: string | Uint8Array): void {
  const temp = createTempBeside(out);
  try {
    writeFileSync(temp.fd, data);
    temp.commit();
  } catch (err) {
    temp.discard();
    throw err;
  }
}
