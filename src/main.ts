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
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (signalled) return;
      signalled = true;
      log.info({ signal }, 'shutting down');
      running.stop().then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

void main();
