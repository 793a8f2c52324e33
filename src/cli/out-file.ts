// The --out option of commands that write a file: required, and refused at once when its folder is missing.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { assertWritableOut } from '../export/safe-file.js';
import { UsageError } from './usage.js';

/** The --out path; a UsageError when it is missing, its folder does not exist, or it is not a regular file or a new path. */
export function outFileOption(out: string | undefined): string {
  if (!out) throw new UsageError('--out is required (the file to write)');
  const folder = dirname(resolve(out));
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--out ${out}: the folder ${folder} does not exist`);
  try {
    assertWritableOut(out);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return out;
}
