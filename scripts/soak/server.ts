// What both soaks (npm run soak, npm run soak:worst) start from: the run's length and an in-process server on a
// free port (PGlite in a temporary folder unless DATABASE_URL is set), with a stop that also removes that folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server.js';

/** `--seconds N` or SOAK_SECONDS (default 60), 1..3600. */
export function soakSeconds(): number {
  const flag = process.argv.indexOf('--seconds');
  const text = flag >= 0 ? process.argv[flag + 1] : process.env.SOAK_SECONDS;
  const seconds = Number(text ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new Error(`--seconds / SOAK_SECONDS must be 1..3600, got ${text}`);
  return seconds;
}

/** The soak's server; `settings` adds to (or overrides) the common ones. */
export async function startSoakServer(
  folderPrefix: string,
  settings: Record<string, string>,
): Promise<{ running: RunningServer; address: string; stop(): Promise<void> }> {
  const dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), folderPrefix));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    HTTP_PORT: 'off',
    DATABASE_URL: process.env.DATABASE_URL,
    DATA_DIR: dataDir,
    SCHEDULER_ENABLED: 'false',
    ...settings,
  });
  const running = await startServer(config, createLogger(config.logLevel));
  return {
    running,
    address: `127.0.0.1:${running.port}`,
    async stop() {
      await running.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
