// `stakazo-ml report`: writes the learning report page of a tenant and day.
import { writeFileSafely } from '../export/safe-file.js';
import { DEFAULT_TENANT } from '../tenancy/tokens.js';
import { outFileOption } from './out-file.js';
import { dayOption, parseCommand, type Command } from './usage.js';

const HELP = `usage: stakazo-ml report --day D [--tenant T] [--tz ZONE] [--out file.html]

Writes the learning report page of a learned day: one self-contained HTML file (charts and data inlined, opens
offline) with retention curves per cluster, drop-off points, best-time heatmaps per platform, the virality score
distribution, insights and recommendations with their evidence, and the learning history.
The running service serves the same page at http://HOST:HTTP_PORT/report?day=D.
It works in-process on the database of DATABASE_URL / DATA_DIR. The day must have been learned (see "learn").

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
    const tenantId = parsed.values.tenant ?? DEFAULT_TENANT;
    const out = parsed.values.out ?? `report-${tenantId}-${day}.html`;
    // Checked before the work, so a typo in the path does not cost a database open and a render.
    if (out !== '-') outFileOption(out);
    const [{ requireTenant, withDatabase }, { renderReportPage }, { gatherReportData }] = await Promise.all([
      import('./common.js'),
      import('../report/page.js'),
      import('../report/report-data.js'),
    ]);
    const html = await withDatabase(async (context) => {
      await requireTenant(context, tenantId);
      return renderReportPage(await gatherReportData(context.services, context.log, tenantId, day, new Date(), { timeZone: parsed.values.tz }));
    });
    if (out === '-') process.stdout.write(html);
    else {
      writeFileSafely(out, html);
      process.stdout.write(`wrote ${out} (${Math.round(html.length / 1024)} KiB); open it in a browser\n`);
    }
    return 0;
  },
};
