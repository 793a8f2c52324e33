// `stakazo-ml export`: writes a family's metric records to CSV, NDJSON or Parquet through the export path of
// ExportMetrics (MetricsService.exportMetrics: keyset pages of 1,000 records), with progress on stderr.
import { readAdminEndpoint } from '../admin/admin-endpoint.js';
import { loadConfig } from '../config.js';
import { EXPORT_FORMATS, openRecordWriter, type ExportFormat } from '../export/record-writers.js';
import { FAMILIES } from '../metrics/families.js';
import type { MetricFilter } from '../metrics/metrics.types.js';
import { PLATFORMS, type PlatformName } from '../domain/platform.js';
import { DEFAULT_TENANT } from '../tenancy/tokens.js';
import { dayOption, parseCommand, UsageError, tenantOption, type Command } from './usage.js';
import { outFileOption } from './out-file.js';
import { Progress } from './progress.js';

const DAY_MS = 86_400_000;

const HELP = `usage: stakazo-ml export --family F --format csv|ndjson|parquet --out FILE [--from D] [--to D] [--platform P] [--tenant T]

Writes every metric record of one family observed from --from to --to (whole UTC days, both included; without
them: all) to FILE, ordered by observe time then record id, the same records as ExportMetrics streams.
Columns: record_id, observe_time, then the family's fields as the contract names them (post_id, views, …).
  csv      RFC 4180 with a header row; maps and curves as JSON text, times in ISO 8601 (UTC)
  ndjson   one JSON object per line
  parquet  typed columns (int64 counts, double rates, timestamp(ms) observe_time, JSON maps, list<float> curves)
The file appears under its name only once complete (it is written as FILE.partial first).
It works in-process on the database of DATABASE_URL / DATA_DIR. While a server holds an embedded DATA_DIR, export
through it instead: the RPC stakazo.ml.v1.MetricsService/ExportMetrics streams the same records (the error names
the server's address).

options:
  --family F      ${FAMILIES.map((f) => f.name).join(', ')}
  --format F      ${EXPORT_FORMATS.join(', ')}
  --out FILE      where to write the export
  --from D        first day (YYYY-MM-DD), inclusive
  --to D          last day (YYYY-MM-DD), inclusive
  --platform P    only records of this platform (${PLATFORMS.join(', ')})
  --tenant T      the tenant (default: "${DEFAULT_TENANT}")

Progress goes to stderr: a bar on a terminal, plain lines otherwise.`;

/** The filter of the options: family, day range (inclusive, UTC) and platform. */
function filterOf(values: { family?: string; from?: string; to?: string; platform?: string }): MetricFilter {
  const spec = FAMILIES.find((f) => f.name === values.family);
  if (!spec) {
    throw new UsageError(
      values.family === undefined ? '--family is required' : `--family "${values.family}" is not a family (${FAMILIES.map((f) => f.name).join(', ')})`,
    );
  }
  const from = values.from === undefined ? undefined : dayOption(values.from, 'from');
  const to = values.to === undefined ? undefined : dayOption(values.to, 'to');
  if (from && to && to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
  if (values.platform !== undefined && !PLATFORMS.includes(values.platform as PlatformName))
    throw new UsageError(`--platform "${values.platform}" is not a platform (${PLATFORMS.join(', ')})`);
  return {
    spec,
    postIds: [],
    contentIds: [],
    platform: values.platform as PlatformName | undefined,
    startTime: from ? new Date(`${from}T00:00:00Z`) : undefined,
    endTime: to ? new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS) : undefined,
    latestOnly: false,
  };
}

export const exportCommand: Command = {
  name: 'export',
  help: HELP,
  async run(args) {
    const options = {
      family: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      platform: { type: 'string' },
      tenant: { type: 'string' },
    } as const;
    const parsed = parseCommand(args, options, HELP);
    if (!parsed) return 0;
    const { values } = parsed;
    const filter = filterOf(values);
    const format = values.format as ExportFormat;
    if (!EXPORT_FORMATS.includes(format))
      throw new UsageError(values.format === undefined ? '--format is required' : `--format "${values.format}" must be ${EXPORT_FORMATS.join(', ')}`);
    const out = outFileOption(values.out);
    const tenantId = tenantOption(values.tenant);
    refuseBesideServer(values.family!);
    const { requireTenant, withDatabase } = await import('./common.js');
    const written = await withDatabase(async (context) => {
      const { services } = context;
      await requireTenant(context, tenantId);
      const total = await services.metrics.countMetrics(tenantId, filter);
      const progress = new Progress('export', total);
      const writer = openRecordWriter(format, filter.spec, out);
      // Ctrl-C stops between pages and removes the partial file.
      const cancel = new AbortController();
      const onInterrupt = () => cancel.abort();
      process.once('SIGINT', onInterrupt);
      let count = 0;
      try {
        await services.metrics.exportMetrics(
          tenantId,
          filter,
          async (records) => {
            await writer.write(records);
            count += records.length;
            progress.tick(`${records.at(-1)?.observedAt.toISOString().slice(0, 10) ?? ''}`, records.length);
          },
          cancel.signal,
        );
        await writer.close();
      } catch (err) {
        await writer.abort();
        throw err;
      } finally {
        process.off('SIGINT', onInterrupt);
      }
      progress.finish(`${count} ${filter.spec.name} records written to ${out}`);
      return count;
    });
    process.stdout.write(`wrote ${written} ${filter.spec.name} records to ${out} (${format})\n`);
    return 0;
  },
};

/** While a server holds the embedded folder, says exactly which RPC gives the same records, at which address. */
function refuseBesideServer(family: string): void {
  const config = loadConfig();
  const server = config.databaseUrl ? undefined : readAdminEndpoint(config.dataDir);
  if (!server) return;
  const address = server.grpcAddress ?? 'HOST:PORT';
  throw new Error(
    `a server (pid ${server.pid}) holds ${config.dataDir}: export through it with the RPC stakazo.ml.v1.MetricsService/ExportMetrics, e.g. ` +
      `grpcurl -plaintext -d '{"family": "METRIC_FAMILY_${family.toUpperCase()}"}' ${address} stakazo.ml.v1.MetricsService/ExportMetrics ` +
      '(add -H "authorization: Bearer <token>" when tokens exist), or stop the server and export again',
  );
}
