// The server as a process of its own: `npm start` follows its parent, SIGTERM shuts it down cleanly, bad settings
// and an unreachable database exit non-zero naming the setting.
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { BIN } from '../helpers/cli.js';
import { healthCheck } from '../helpers/health.js';
import { BACKEND, seedDataDir, testConfig } from '../helpers/server.js';

/** Runs the server (`stakazo-ml serve`, compiled) as a child process with the given settings. */
function spawnMain(env: Record<string, string>, command: [string, string[]] = [process.execPath, [BIN, 'serve']]) {
  const child = spawn(command[0], command[1], {
    env: { ...process.env, PORT: '0', HTTP_PORT: '0', LOG_LEVEL: 'info', SCHEDULER_ENABLED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Whether a process with this pid still runs. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe(`process (${BACKEND})`, () => {
  it("`npm start` stopped by npm's pid stops the server too (it follows its parent) and frees the port", async () => {
    const { config, cleanup } = testConfig();
    await seedDataDir(config.dataDir);
    const npm = spawnMain({ HOST: '127.0.0.1', DATA_DIR: config.dataDir, DATABASE_URL: process.env.DATABASE_URL ?? '' }, ['npm', ['start', '--silent']]);
    let serverPid = 0;
    try {
      for (let i = 0; i < 600 && !serverPid; i++) {
        const line = npm
          .output()
          .stdout.split('\n')
          .find((l) => l.includes('"msg":"serving"'));
        if (line) serverPid = JSON.parse(line).pid;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(serverPid, npm.output().stderr).to.be.greaterThan(0);
      expect(serverPid).to.not.equal(npm.child.pid);
      npm.child.kill('SIGTERM');
      for (let i = 0; i < 100 && running(serverPid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(running(serverPid), 'the server outlived npm').to.equal(false);
    } finally {
      if (serverPid && running(serverPid)) process.kill(serverPid, 'SIGKILL');
      cleanup();
    }
  });

  it('shuts down cleanly on SIGTERM after serving', async () => {
    const { config, cleanup } = testConfig();
    await seedDataDir(config.dataDir);
    const proc = spawnMain({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: config.dataDir, DATABASE_URL: process.env.DATABASE_URL ?? '' });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const line = proc
            .output()
            .stdout.split('\n')
            .find((l) => l.includes('"msg":"serving"'));
          if (line) {
            clearInterval(timer);
            resolve(JSON.parse(line).port);
          }
        }, 50);
        proc.exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`exited early with ${code}: ${proc.output().stderr}`));
        });
      });
      expect(await healthCheck(`127.0.0.1:${port}`, '')).to.equal('SERVING');
      proc.child.kill('SIGTERM');
      expect(await proc.exited).to.equal(0);
      expect(proc.output().stdout).to.match(/"msg":"stopped"/);
    } finally {
      proc.child.kill('SIGKILL');
      cleanup();
    }
  });

  it('exits non-zero naming PORT when PORT is not a number', async () => {
    const proc = spawnMain({ PORT: 'abc' });
    expect(await proc.exited).to.equal(2);
    expect(proc.output().stderr).to.match(/PORT.*"abc" is not a whole number/);
  });

  it('exits non-zero naming DATABASE_URL when the database is unreachable', async () => {
    const proc = spawnMain({ PORT: '0', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    expect(await proc.exited).to.equal(1);
    expect(proc.output().stderr).to.match(/DATABASE_URL/);
  });
});
