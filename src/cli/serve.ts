// `stakazo-ml serve` and `stakazo-ml migrate`: the server, and the schema brought up to date.
import { parseCommand, type Command } from './usage.js';

export const serveCommand: Command = {
  name: 'serve',
  help: 'usage: stakazo-ml serve\n\nRuns the service with the settings of the environment (see the README); stops gracefully on SIGTERM/SIGINT.',
  async run(args) {
    if (!parseCommand(args, {}, serveCommand.help)) return 0;
    await import('../main.js');
    return -1;
  },
};

export const migrateCommand: Command = {
  name: 'migrate',
  help: 'usage: stakazo-ml migrate\n\nApplies pending migrations to the database of DATABASE_URL / DATA_DIR (safe to run from several replicas).',
  async run(args) {
    if (!parseCommand(args, {}, migrateCommand.help)) return 0;
    const [{ openApp }, { loadConfig }, { cliLogger }] = await Promise.all([import('../app.js'), import('../config.js'), import('./common.js')]);
    const app = await openApp(loadConfig(), cliLogger());
    await app.close();
    const applied = app.migrationsApplied;
    process.stdout.write(applied.length ? `applied ${applied.length} migrations: ${applied.join(', ')}\n` : 'schema already up to date\n');
    return 0;
  },
};
