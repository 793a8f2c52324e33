// The compiled JavaScript the production paths run: `npm start` is `bin/stakazo-ml.js serve`, which runs the tsc
// build in dist/ (compiling it first when missing or stale, so the first run of this test may take a minute). It
// must start and serve, descriptor set and migrations included, and refuse a bad memory setting in one line.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BACKEND, seedDataDir } from '../helpers/server.js';

const SERVE = ['bin/stakazo-ml.js', 'serve'];

describe(`compiled build (${BACKEND})`, function () {
  // NOTE: the first start compiles dist/ when it is stale (after `npm run generate`, say): minutes on a busy machine.
  this.timeout(600_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'stakazo-compiled-'));
  const env = { ...process.env, HOST: '127.0.0.1', PORT: '0', HTTP_PORT: 'off', DATA_DIR: dataDir, SCHEDULER_ENABLED: 'false', LOG_LEVEL: 'info' };

  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts from dist/ and reports SERVING on the standard health service', async () => {
    await seedDataDir(dataDir);
    const child = spawn(process.execPath, SERVE, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(child, 'exit');
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let buffered = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const serving = /"port":(\d+)[^\n]*"msg":"serving"/.exec(buffered);
          if (serving) resolve(Number(serving[1]));
        });
        void exited.then(([code]) => reject(new Error(`the server exited with ${code} before serving: ${stderr}`)));
      });
      // The image's health check (grpc.health.v1 over the real socket): exit 0 only when SERVING.
      const health = spawnSync(process.execPath, ['scripts/healthcheck.mjs'], {
        env: { ...process.env, PORT: String(port) },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(health.status, health.stderr).to.equal(0);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('refuses a memory setting the embedded database cannot start with, in one line naming it', () => {
    const refused = spawnSync(process.execPath, SERVE, { env: { ...env, PGLITE_SHARED_BUFFERS: '4GB' }, encoding: 'utf8', timeout: 120_000 });
    expect(refused.status).to.equal(2);
    expect(refused.stderr.trimEnd().split('\n')).to.deep.equal([
      "stakazo-ml: invalid setting PGLITE_SHARED_BUFFERS: 4GB is outside 128kB..1024MB (the embedded database's memory is at most 2 GB)",
    ]);
  });
});
