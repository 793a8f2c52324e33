// `stakazo-ml learn`: runs the daily learning for a day or a range, in-process against the database.
import { AppError } from '../errors.js';
import type { Reprocess, RunWithReport } from '../learning/run/learning.service.js';
import { DEFAULT_TENANT } from '../tenancy/tokens.js';
import type { CliContext } from './common.js';
import { Progress } from './progress.js';
import { dayOption, parseCommand, UsageError, tenantOption, type Command } from './usage.js';

const HELP = `usage: stakazo-ml learn (--day D | --from D --to D) [--tenant T] [--reprocess none|failed|all]

Runs the daily learning (the same run as RunDailyLearning / Backfill) for one day or an inclusive range of days,
in order, and prints one line per day. It works in-process on the database of DATABASE_URL / DATA_DIR (no server
needed; on Postgres a running service sees the results at once; an embedded DATA_DIR must not be open in a server). Days must be over (before today, UTC).

options:
  --day D            learn one day (YYYY-MM-DD)
  --from D --to D    learn every day from D to D (at most 366 days)
  --tenant T         the tenant (default: "${DEFAULT_TENANT}")
  --reprocess MODE   days already learned: none (default: keep them), failed (re-run failed ones), all (re-run all)

Progress goes to stderr; exit code 1 when any day failed.`;

const REPROCESS: readonly Reprocess[] = ['none', 'failed', 'all'];

/** Learns `days` of a tenant with a progress bar; returns the runs. */
export async function learnDays(context: CliContext, tenantId: string, from: string, to: string, reprocess: Reprocess): Promise<RunWithReport[]> {
  // The same run as the service's: it also retrains the virality model (the learned state).
  const service = context.services.learning;
  let progress: Progress | undefined;
  let previousDay = '';
  const { runs } = await service.backfill(tenantId, from, to, reprocess, (day, index, total) => {
    progress ??= new Progress('learn', total);
    if (index > 0) progress.tick(previousDay);
    previousDay = day;
  });
  progress?.tick(previousDay);
  const failed = runs.filter((r) => r.run.status !== 'succeeded').length;
  progress?.finish(`${runs.length - failed} of ${runs.length} days learned${failed ? `, ${failed} failed` : ''}`);
  return runs;
}

/** A bad-argument error of the service in the CLI's words: its API field names (start_day) become the flags. */
function inFlagNames(err: unknown, flags: Record<string, string>): unknown {
  if (!(err instanceof AppError) || err.kind !== 'invalid_argument') return err;
  return new UsageError(err.message.replace(/\b(start_day|end_day)\b/g, (field) => flags[field] ?? field));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line per run: day, status, posts, findings, recommendations. */
export function runLine(r: RunWithReport): string {
  const report = r.report;
  const figures = report
    ? `${plural(report.postsAnalysed, 'post')}, ${plural(report.insights.length, 'finding')}, ${plural(report.recommendations.length, 'recommendation')}`
    : r.run.errorMessage;
  return `${r.run.day}  ${r.run.status.padEnd(9)}  ${figures}${r.reused ? '  (already learned; --reprocess all to re-run)' : ''}`;
}

export const learnCommand: Command = {
  name: 'learn',
  help: HELP,
  async run(args) {
    const parsed = parseCommand(
      args,
      { day: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, tenant: { type: 'string' }, reprocess: { type: 'string' } },
      HELP,
    );
    if (!parsed) return 0;
    const { values } = parsed;
    if (values.day !== undefined && (values.from !== undefined || values.to !== undefined)) throw new UsageError('give either --day or --from/--to, not both');
    if (values.day === undefined && values.from === undefined) throw new UsageError('say which days: --day D, or --from D --to D');
    const from = dayOption(values.day ?? values.from, values.day !== undefined ? 'day' : 'from');
    const to = values.day !== undefined ? from : dayOption(values.to, 'to');
    if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
    const reprocess = (values.reprocess ?? 'none') as Reprocess;
    if (!REPROCESS.includes(reprocess)) throw new UsageError(`--reprocess "${values.reprocess}" must be none, failed or all`);
    const tenantId = tenantOption(values.tenant);
    const flags = values.day !== undefined ? { start_day: '--day', end_day: '--day' } : { start_day: '--from', end_day: '--to' };
    const { requireTenant, withDatabase } = await import('./common.js');
    return withDatabase(async (context) => {
      await requireTenant(context, tenantId);
      const runs = await learnDays(context, tenantId, from, to, reprocess).catch((err: unknown) => {
        throw inFlagNames(err, flags);
      });
      for (const r of runs) process.stdout.write(`${runLine(r)}\n`);
      return runs.every((r) => r.run.status === 'succeeded') ? 0 : 1;
    });
  },
};
