// `stakazo-ml backup` / `stakazo-ml restore`: the embedded database as one gzipped tar. While a server holds the
// data folder the backup is asked of it (GET /admin/backup with the token of its admin file), so it is consistent
// and the server keeps serving; otherwise the folder is opened directly. Restore needs the folder free.
import { existsSync, readFileSync } from 'node:fs';
import { readAdminEndpoint } from '../admin/admin-endpoint.js';
import { loadConfig } from '../config.js';
import { dumpDataFolder, restoreDataFolder } from '../db/backup.js';
import { parseCommand, UsageError, type Command } from './usage.js';
import { outFileOption } from './out-file.js';
import { writeFileSafely } from '../export/safe-file.js';

const POSTGRES_NOTE = `On Postgres (DATABASE_URL) use its own tools, e.g.
  pg_dump -Fc -d "$DATABASE_URL" -f stakazo.dump
  pg_restore --clean --if-exists -d "$DATABASE_URL" stakazo.dump
(the target needs the vector extension available; see the README).`;

const BACKUP_HELP = `usage: stakazo-ml backup --out FILE

Writes the embedded database of DATA_DIR (every tenant) to FILE, a gzipped tar of the data folder.
While a server runs on DATA_DIR the backup is made by that server (its HTTP side, HTTP_PORT, must be on): it is
consistent (the committed state at one moment) and the server keeps serving. Otherwise the folder is opened
directly. FILE appears only once complete. Restore it with "stakazo-ml restore FILE".
${POSTGRES_NOTE}

options:
  --out FILE    where to write the backup (e.g. stakazo-$(date +%F).tar.gz)`;

const RESTORE_HELP = `usage: stakazo-ml restore FILE

Replaces the embedded database of DATA_DIR by the backup FILE (written by "stakazo-ml backup"). No server may run
on DATA_DIR: stop it first, restore, start it again. The backup is checked (opened) before anything changes; the
current data folder is kept beside it as DATA_DIR.before-restore-<time> (delete it once satisfied). A backup of an
older version is migrated on the next start.
${POSTGRES_NOTE}`;

/** Refuses Postgres, naming its tools. */
function embeddedDataDir(): string {
  const config = loadConfig();
  if (config.databaseUrl)
    throw new UsageError(
      'backup and restore are for the embedded database and DATABASE_URL is set: on Postgres use pg_dump -Fc and pg_restore (both shown in --help)',
    );
  return config.dataDir;
}

/** Asks the running server for its backup. */
async function backupFromServer(url: string, token: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(`${url}/admin/backup`, { headers: { authorization: `Bearer ${token}` } });
  } catch (err) {
    throw new Error(`the server holding the data folder does not answer at ${url} (${(err as Error).message}); is its HTTP side reachable?`);
  }
  if (!response.ok) throw new Error(`the server refused the backup: HTTP ${response.status} ${(await response.text()).trim()}`);
  return new Uint8Array(await response.arrayBuffer());
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export const backupCommand: Command = {
  name: 'backup',
  help: BACKUP_HELP,
  async run(args) {
    const parsed = parseCommand(args, { out: { type: 'string' } }, BACKUP_HELP);
    if (!parsed) return 0;
    const dataDir = embeddedDataDir();
    const out = outFileOption(parsed.values.out);
    const server = readAdminEndpoint(dataDir);
    const archive = server ? await backupFromServer(server.url, server.token) : await dumpDataFolder(dataDir);
    writeFileSafely(out, archive);
    const source = server ? `from the running server (pid ${server.pid})` : `from ${dataDir}`;
    process.stdout.write(`wrote ${out} (${mib(archive.length)}) ${source}\n`);
    return 0;
  },
};

export const restoreCommand: Command = {
  name: 'restore',
  help: RESTORE_HELP,
  async run(args) {
    const parsed = parseCommand(args, {}, RESTORE_HELP, true);
    if (!parsed) return 0;
    const [file, ...extra] = parsed.positionals;
    if (!file || extra.length > 0) throw new UsageError('restore needs exactly one backup FILE');
    const dataDir = embeddedDataDir();
    if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
    const { previousDir } = await restoreDataFolder(dataDir, readFileSync(file));
    process.stdout.write(`restored ${file} into ${dataDir}${previousDir ? `; the previous data is kept in ${previousDir}` : ''}\n`);
    return 0;
  },
};
