// `stakazo-ml report`: writes the learning report page of a tenant and day.
import { type AdminEndpoint, readAdminEndpoint } from '../admin/admin-endpoint.js';
import { loadConfig } from '../config.js';
import { writeFileSafely } from '../export/safe-file.js';
import { DEFAULT_TENANT } from '../tenancy/tokens.js';
import { outFileOption } from './out-file.js';
import { dayOption, parseCommand, tenantOption, type Command } from './usage.js';

const HELP = `usage: stakazo-ml report --day D [--tenant T] [--tz ZONE] [--out file.html]

Writes the learning report page of a learned day: one self-contained HTML file (charts and data inlined, opens
offline) with the advice from the learned models first (expected lift and how sure), then retention curves per
cluster, drop-off points, best-time heatmaps per platform, the virality score distribution, the day's observations
and the learning history.
The running service serves the same page at http://HOST:HTTP_PORT/report?day=D (a browser signs in there with a
tenant's API token). It works in-process on the database of DATABASE_URL / DATA_DIR; while a server holds an
embedded DATA_DIR, the page is asked of that server instead. The day must have been learned (see "learn").

options:
  --day D       the day (YYYY-MM-DD)
  --tenant T    the tenant (default: "${DEFAULT_TENANT}")
  --tz ZONE     time zone of the best-time heatmaps (IANA, e.g. Europe/Madrid; default: the posts' most common)
  --out FILE    where to write the page (default: report-<tenant>-<day>.html; "-" for stdout)`;

export const reportCommand: Command = {
  name: 'report',
  help: HELP,
  async run(args) {
    const parsed = parseCommand(args, { day: { type: 'string' }, tenant: { type: 'string' }, tz: { type: 'string' }, out: { type: 'string' } }, HELP);
    if (!parsed) return 0;
    const day = dayOption(parsed.values.day, 'day');
    const tenantId = tenantOption(parsed.values.tenant);
    const out = parsed.values.out ?? `report-${tenantId}-${day}.html`;
    // Checked before the work, so a typo in the path does not cost a database open and a render.
    if (out !== '-') outFileOption(out);
    const server = runningServer();
    if (server) {
      const html = await reportFromServer(server, day, tenantId, parsed.values.tz);
      write(out, html, `, from the running server (pid ${server.pid})`);
      return 0;
    }
    const [{ requireTenant, withDatabase }, { renderReportPage }, { gatherReportData }] = await Promise.all([
      import('./common.js'),
      import('../report/page.js'),
      import('../report/report-data.js'),
    ]);
    const html = await withDatabase(async (context) => {
      await requireTenant(context, tenantId);
      return renderReportPage(await gatherReportData(context.services, context.log, tenantId, day, new Date(), { timeZone: parsed.values.tz }));
    });
    write(out, html, '');
    return 0;
  },
};

function write(out: string, html: string, source: string): void {
  if (out === '-') process.stdout.write(html);
  else {
    writeFileSafely(out, html);
    process.stdout.write(`wrote ${out} (${Math.round(html.length / 1024)} KiB${source}); open it in a browser\n`);
  }
}

/** The server holding the embedded data folder, when one runs (on Postgres the CLI shares the database directly). */
function runningServer(): AdminEndpoint | undefined {
  const config = loadConfig();
  return config.databaseUrl ? undefined : readAdminEndpoint(config.dataDir);
}

/** The page as the running server renders it for `tenantId` (GET /report with the data folder's admin token). */
async function reportFromServer(server: AdminEndpoint, day: string, tenantId: string, tz: string | undefined): Promise<string> {
  const url = new URL('/report', server.url);
  url.search = new URLSearchParams({ day, tenant: tenantId, ...(tz ? { tz } : {}) }).toString();
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${server.token}` } });
  } catch (err) {
    throw new Error(
      `the server holding the data folder (pid ${server.pid}) does not answer at ${server.url} (${(err as Error).message}); is its HTTP side on?`,
    );
  }
  const body = await response.text();
  if (!response.ok) throw new Error(`the running server answered ${url.pathname}${url.search} with HTTP ${response.status}: ${body.trim().split('\n')[0]}`);
  return body;
}
