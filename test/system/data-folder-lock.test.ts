// One process per embedded data folder: with a server running on a folder, every CLI command that would open it
// refuses with one clear line naming the holder; a lock left by a dead process is taken over.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('takes over a lock left by a process that died', async () => {
    const lockPath = join(dataDir, 'stakazo-ml.lock');
    writeFileSync(lockPath, JSON.stringify({ pid: deadPid(), startedAt: '2026-01-01T00:00:00Z', command: 'crashed' }));
    const list = cli(dataDir, 'tokens', 'list');
    expect(list.code, list.stderr).to.equal(0);
    expect(existsSync(lockPath)).to.equal(false);
  });
});
