// A new embedded data folder without initdb in the serving process. PGlite creates a database by running initdb as
// a second Postgres instance inside the process that opens it; its WebAssembly memory is never returned, so a server
// started on an empty folder idled at 586–708 MB instead of ≈ 230 MB, and spent ≈ 8 s of CPU before serving. Here a
// short-lived child process creates and migrates the database once, as a template kept in a cache folder under a key
// of everything it depends on (PGlite, pgvector, the migrations); a new folder is a copy of it (a fraction of a
// second). Without a cache folder the child creates the database in place of the template and it is not kept.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationsDir } from './migrate.js';

const here = fileURLToPath(import.meta.url);
/** The child's entry: the sibling file of this one, .ts under tsx, .js when compiled. */
const CHILD_ENTRY = here.replace(/embedded-init\.(ts|js)$/, 'embedded-init-child.$1');

/** Whether `dir` holds a database already (PGlite, like Postgres, writes PG_VERSION first). */
export function holdsDatabase(dir: string): boolean {
  return existsSync(join(dir, 'PG_VERSION'));
}

/** What a migrated template depends on: PGlite's and pgvector's versions and every migration's name and text. */
export function templateKey(): string {
  const hash = createHash('sha256');
  const require = createRequire(import.meta.url);
  for (const pkg of ['@electric-sql/pglite', '@electric-sql/pglite-pgvector']) {
    const main = require.resolve(pkg);
    let folder = dirname(main);
    while (!existsSync(join(folder, 'package.json')) && dirname(folder) !== folder) folder = dirname(folder);
    hash.update(readFileSync(join(folder, 'package.json')));
  }
  const migrations = migrationsDir();
  for (const file of readdirSync(migrations).sort()) hash.update(file).update(readFileSync(join(migrations, file)));
  return hash.digest('hex').slice(0, 16);
}

/** Creates and migrates a database in `dir` (an empty folder) in a child process; rejects naming what failed. */
function createInChild(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // NOTE: the child inherits this process's execArgv (e.g. tsx's loader when running from the sources).
    const child = fork(CHILD_ENTRY, [dir], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        const reason = stderr.trim().split('\n').at(-1) || `exit ${signal ?? code}`;
        reject(new Error(`creating the embedded database in ${dir} failed: ${reason}`));
      }
    });
  });
}

/** The migrated template in `cacheDir`, made by a child process when missing. */
async function template(cacheDir: string): Promise<string> {
  const dir = join(cacheDir, `pglite-template-${templateKey()}`);
  if (holdsDatabase(dir)) return dir;
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const building = mkdtempSync(join(cacheDir, 'building-'));
  try {
    await createInChild(building);
    // NOTE: atomic: a process building the same template at the same time either wins (ours is dropped) or finds
    // ours complete; nobody copies a half-made folder.
    renameSync(building, dir);
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    if (!holdsDatabase(dir)) throw err;
  }
  return dir;
}

/**
 * Fills `dir` (no database in it yet; other files, e.g. the folder lock, stay) with a new migrated database: a copy
 * of the template kept in `cacheDir`, or, without one (undefined, or not writable), a database a child process
 * creates in a temporary folder. Returns how it was made.
 */
export async function createEmbeddedDatabase(dir: string, cacheDir: string | undefined): Promise<'template' | 'child'> {
  if (cacheDir) {
    try {
      cpSync(await template(cacheDir), dir, { recursive: true });
      return 'template';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw err;
    }
  }
  const scratch = mkdtempSync(join(tmpdir(), 'stakazo-ml-initdb-'));
  try {
    await createInChild(scratch);
    cpSync(scratch, dir, { recursive: true });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return 'child';
}
