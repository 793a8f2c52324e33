// Work to do after every test file, registered by the helpers that need it (e.g. deleting the collections a file
// created on the shared server). NOTE: a hook registered with mocha's `after()` at a helper's import time would run
// for the first file only in parallel mode (a worker imports each helper once, for the first file that needs it);
// root hook plugins (mochaHooks, loaded through .mocharc's "require") run after every file in both modes.
const hooks: (() => Promise<void>)[] = [];

/** Runs `fn` after every test file from now on. */
export function afterEachFile(fn: () => Promise<void>): void {
  hooks.push(fn);
}

export const mochaHooks = {
  async afterAll(): Promise<void> {
    for (const fn of hooks) await fn();
  },
};
