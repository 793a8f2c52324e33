// The --out option of commands that write a file: required, and refused at once when its folder is missing.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './usage.js';

/** The --out path; a UsageError when it is missing or its folder does not exist. */
export function outFileOption(out: string | undefined): string {
  if (!out) throw new UsageError('--out is required (the file to write)');
  const folder = dirname(resolve(out));
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--out ${out}: the folder ${folder} does not exist`);
  return out;
}
