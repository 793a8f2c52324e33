// The compiled JavaScript that production paths run (`npm start`, the CLI, the Docker image): `tsc -p
// tsconfig.build.json` into dist/, plus the run-time assets tsc does not copy (the descriptor set), and a stamp.
// `node bin/build.js` builds; `--prepare` (npm install's prepare script) skips quietly when there are no sources to
// build (Docker's dependency layer) or no TypeScript (a production install); `ensureBuilt()` rebuilds when missing
// or older than a source file, so the README's `npm install && npm start` does all the set-up.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The build's output; stable (the Dockerfile and package.json point into it). */
export const DIST = join(ROOT, 'dist');
/** Written after a build: the hash of the sources it was built from; its time is when they were last checked. */
const STAMP = join(DIST, '.build-stamp');
/** Files read at run time that tsc does not emit: [source, destination] relative to the root. */
const ASSETS = [['src/gen/descriptor_set.binpb', 'dist/src/gen/descriptor_set.binpb']];
const INPUTS = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** Newest modification time (ms) under `path` (a file or a folder, walked). */
function newestMtime(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** The files under `path` (a file or a folder, walked), in name order. */
function filesUnder(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return [];
  if (!info.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => filesUnder(join(path, entry)));
}

/** A hash of every input's path and content: rewriting a file with the same content (`npm run generate`) is no change. */
function sourceHash() {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((p) => filesUnder(join(ROOT, p)))) hash.update(`${file}\0`).update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

function typescriptCompiler() {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

/** Why dist/ needs building, or undefined when it is up to date (or there are no sources, as in the image). */
export function staleReason() {
  if (!existsSync(join(ROOT, 'src'))) return undefined;
  const stamp = statSync(STAMP, { throwIfNoEntry: false });
  if (!stamp) return 'no build yet';
  const newest = Math.max(...INPUTS.map((p) => newestMtime(join(ROOT, p))));
  if (newest <= stamp.mtimeMs) return undefined;
  // Newer files: stale only when their content differs from the build's (then the stamp's time moves on).
  if (readFileSync(STAMP, 'utf8').trim() !== sourceHash()) return 'sources changed since the last build';
  const now = new Date();
  utimesSync(STAMP, now, now);
  return undefined;
}

/** Compiles into dist/ and copies the assets; throws with tsc's output when it fails. */
export function build() {
  const tsc = typescriptCompiler();
  if (!tsc) throw new Error('TypeScript is not installed (run `npm install` with dev dependencies, or build elsewhere)');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tsc failed:\n${result.stdout}${result.stderr}`);
  for (const [from, to] of ASSETS) {
    mkdirSync(dirname(join(ROOT, to)), { recursive: true });
    copyFileSync(join(ROOT, from), join(ROOT, to));
  }
  writeFileSync(STAMP, `${sourceHash()}\n`);
}

/** Builds when dist/ is missing or stale; with no TypeScript, a stale build is used as it is. */
export function ensureBuilt() {
  const reason = staleReason();
  if (!reason) return;
  if (!typescriptCompiler() && existsSync(join(DIST, 'src', 'main.js'))) return;
  process.stderr.write(`stakazo-ml: compiling to dist/ (${reason}; takes a minute)…\n`);
  build();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const prepare = process.argv.includes('--prepare');
  if (prepare && (!existsSync(join(ROOT, 'src')) || !typescriptCompiler())) process.exit(0);
  try {
    build();
  } catch (err) {
    process.stderr.write(`build: ${err.message}\n`);
    process.exit(1);
  }
}
