// GET /admin/backup on the HTTP side (embedded database only): a consistent dump of the running server's data
// folder, for `stakazo-ml backup` while the server holds the folder. Only the admin token of the server's admin
// file opens it (see admin-endpoint.ts); tenant tokens do not.
import type { Db } from '../db/connect.js';
import { dumpEmbedded } from '../db/backup.js';
import type { Logger } from '../log.js';
import type { Route } from '../observability/http.js';
import { isAdmin } from './admin-endpoint.js';

export function backupRoute(db: Db, token: string, log: Logger): Route {
  return async (_url, req) => {
    if (!isAdmin(req.headers.authorization, token)) {
      return { status: 401, contentType: 'text/plain; charset=utf-8', body: "the admin token of the data folder's stakazo-ml.admin.json is required\n" };
    }
    const startedMs = Date.now();
    const body = await dumpEmbedded(db);
    log.info({ bytes: body.length, durationMs: Date.now() - startedMs }, 'backup served');
    return { contentType: 'application/gzip', body };
  };
}
