// Work to do after every test file, registered by the helpers that need it (e.g. deleting the collections a file
// created on the shared server). NOTE: a hook registered with mocha's `after()` at a helper's import time would run
// for the first file only in parallel mode (a worker imports each helper once, for the first file that needs it);
// root hook plugins (mochaHooks, loaded through .mocharc's "require") run after every file in both modes.
// With STAKAZO_TEST_TIMES=<file> set, each test file's wall seconds (hooks included) are appended to that file as
// "<seconds>\t<path>" lines: `.ci/run` prints the slowest files from it.
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Context } from 'mocha';

const hooks: (() => Promise<void>)[] = [];
let fileStarted = 0;

/** Runs `fn` after every test file from now on. */
export function afterEachFile(fn: () => Promise<void>): void {
  hooks.push(fn);
}

/** The file of the suite tree this root hook runs for (the root suite's first child names it). */
function fileOf(context: Context): string {
  const root = context.test?.parent;
  const file = root?.file ?? root?.suites[0]?.file ?? '?';
  return relative(process.cwd(), file);
}

export const mochaHooks = {
  beforeAll(): void {
    fileStarted = performance.now();
  },
  async afterAll(this: Context): Promise<void> {
    for (const fn of hooks) await fn();
    const times = process.env.STAKAZO_TEST_TIMES;
    if (times) appendFileSync(times, `${((performance.now() - fileStarted) / 1000).toFixed(1)}\t${fileOf(this)}\n`);
  },
};
