// Process entry point: read config, start the server, stop gracefully on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`stakazo-ml: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection (kept running)'));
  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    running = await startServer(config, log);
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    process.stderr.write(`stakazo-ml: start-up failed: ${(err as Error).message}\n`);
    process.exit(1);
  }
  let signalled = false;
  const shutDown = (reason: string) => {
    if (signalled) return;
    signalled = true;
    log.info({ reason }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => shutDown(signal));
  // NOTE: `npm start` runs the server as npm's child and does not pass a SIGTERM sent to npm on to it; stopping npm
  // left the server running and holding its port. Started by npm, the server follows its parent: when npm is gone
  // (this process is re-parented), it shuts down as on SIGTERM. Run directly (Docker, systemd), nothing changes.
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) shutDown('npm, the parent process, exited');
    }, 500).unref();
  }
}

void main();
