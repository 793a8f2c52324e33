// Runs the command line as a user does (`npx stakazo-ml`: bin/stakazo-ml.js, the compiled CLI in dist/, which the
// system tests' global set-up builds once when stale: test/helpers/built-dist.ts): a child process per command, with
// pipes (progress as plain lines).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../bin/build.js';

/** The command users run (`npx stakazo-ml`). */
export const BIN = join(ROOT, 'bin', 'stakazo-ml.js');

/** Runs `stakazo-ml <args>` with DATA_DIR = `dataDir` and the given DATABASE_URL ('' for the embedded database). */
export function runCli(dataDir: string, databaseUrl: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    timeout: 170_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** As `runCli`, without blocking this process (for a CLI that talks to a server running in the test process). */
export function runCliAsync(dataDir: string, databaseUrl: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
      timeout: 170_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
