// One process per embedded data folder: with a server running on a folder, every CLI command that would open it
// refuses with one clear line naming the holder; a lock left by a dead process is taken over.
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../helpers/cli.js';
import { BACKEND, seedDataDir, startTestServer, type TestServer } from '../helpers/server.js';

/** The CLI on the embedded database in `dataDir`. */
const cli = (dataDir: string, ...args: string[]) => runCli(dataDir, '', ...args);

/** A pid that no process has any more (a child that has exited). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** A worker thread running test/helpers/folder-lock-taker.ts (through tsx, which workers do not inherit). */
const TAKER = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(new URL('../helpers/folder-lock-taker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`;

/** The messages of a worker, in order: each call answers the next one. */
function inbox(worker: Worker): () => Promise<string> {
  const received: string[] = [];
  const waiting: ((message: string) => void)[] = [];
  worker.on('message', (message: string) => {
    const deliver = waiting.shift();
    if (deliver) deliver(message);
    else received.push(message);
  });
  return () => (received.length > 0 ? Promise.resolve(received.shift()!) : new Promise((resolve) => waiting.push(resolve)));
}

describe(`embedded data folder lock (${BACKEND})`, () => {
  let server: TestServer | undefined;
  let dataDir: string;
  before(async function () {
    if (BACKEND !== 'pglite') this.skip(); // Postgres is shared by design; the lock is the embedded database's
    dataDir = mkdtempSync(join(tmpdir(), 'stakazo-lock-'));
    await seedDataDir(dataDir);
  });
  after(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses every writing CLI command while a server holds the folder, naming the process and what to do', async () => {
    server = await startTestServer({ DATA_DIR: dataDir });
    const commands = [
      ['tokens', 'create', '--tenant', 'locked'],
      ['learn', '--day', '2026-01-01'],
      ['seed-demo', '--days', '1', '--posts-per-day', '1'],
      ['migrate'],
    ];
    for (const args of commands) {
      const run = cli(dataDir, ...args);
      expect(run.code, args.join(' ')).to.equal(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines, args.join(' ')).to.have.length(1);
      expect(lines[0]).to.match(new RegExp(`stakazo-ml: the data folder .* is in use by process ${process.pid} .*stop that process first`));
    }
    await server.stop();
    server = undefined;
    // Released on close: the lock file is gone and the CLI now works on the folder (and leaves no lock behind).
    expect(existsSync(join(dataDir, 'stakazo-ml.lock'))).to.equal(false);
    const list = cli(dataDir, 'tokens', 'list');
    expect(list.code, list.stderr).to.equal(0);
    expect(existsSync(join(dataDir, 'stakazo-ml.lock'))).to.equal(false);
  });

  it('gives a stale lock to exactly one of many takers racing for it, every time', async function () {
    this.timeout(120_000);
    const raceDir = mkdtempSync(join(tmpdir(), 'stakazo-lock-race-'));
    const takers = 8;
    const start = new Int32Array(new SharedArrayBuffer(4));
    const workers = Array.from({ length: takers }, () => new Worker(TAKER, { eval: true, workerData: { dir: raceDir, start } }));
    const inboxes = workers.map(inbox);
    const dead = deadPid();
    try {
      expect(await Promise.all(inboxes.map((next) => next()))).to.deep.equal(Array(takers).fill('ready'));
      for (let trial = 1; trial <= 20; trial++) {
        const stale = { pid: dead, startedAt: `2026-01-01T00:00:${String(trial).padStart(2, '0')}Z`, command: 'crashed' };
        writeFileSync(join(raceDir, 'stakazo-ml.lock'), JSON.stringify(stale));
        for (const w of workers) w.postMessage({ trial });
        const outcomes = inboxes.map((next) => next());
        Atomics.store(start, 0, trial);
        Atomics.notify(start, 0);
        const results = await Promise.all(outcomes);
        expect(results.filter((r) => r === 'won').length, `trial ${trial}: ${results.join(' | ')}`).to.equal(1);
        for (const r of results.filter((r) => r !== 'won')) expect(r).to.match(/is in use by process/);
        for (const w of workers) w.postMessage({ release: true });
        expect(await Promise.all(inboxes.map((next) => next()))).to.deep.equal(Array(takers).fill('released'));
        expect(existsSync(join(raceDir, 'stakazo-ml.lock')), 'the winner released its lock').to.equal(false);
      }
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
      rmSync(raceDir, { recursive: true, force: true });
    }
  });

  it('keeps the embedded database private: folders 0700, files 0600, also in a folder an older version made 0755', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'stakazo-private-'));
    try {
      chmodSync(fresh, 0o755);
      const run = cli(fresh, 'migrate');
      expect(run.code, run.stderr).to.equal(0);
      const open: string[] = [];
      const walk = (path: string) => {
        const stat = lstatSync(path);
        if ((stat.mode & 0o077) !== 0) open.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
        if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
      };
      walk(fresh);
      expect(open.length, `readable by others: ${open.slice(0, 5).join(', ')}`).to.equal(0);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('takes over a lock left by a process that died', async () => {
    const lockPath = join(dataDir, 'stakazo-ml.lock');
    writeFileSync(lockPath, JSON.stringify({ pid: deadPid(), startedAt: '2026-01-01T00:00:00Z', command: 'crashed' }));
    const list = cli(dataDir, 'tokens', 'list');
    expect(list.code, list.stderr).to.equal(0);
    expect(existsSync(lockPath)).to.equal(false);
  });
});
