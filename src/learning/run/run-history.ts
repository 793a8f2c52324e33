// The history of learning runs as the reads show it: a run's report, the trends over runs, and the row of a run that
// failed before it could be recorded.
import { dayBounds } from '../../domain/days.js';
import { leastSquaresSlope } from '../math/stats.js';
import type { TrendFigures, DayReport } from './day-report.js';
import type { RunRow } from './learning.types.js';

/** Completion and early-loss figures of each successful run, and their least-squares slopes per day. */
export interface Trends {
  points: ({ day: string } & TrendFigures)[];
  completionRateSlopePerDay: number;
  first3sLossSlopePerDay: number;
  retentionImproving: boolean;
}

/** Least-squares trends of completion and early loss over the runs (days as x). */
export function trendsOf(points: ({ day: string } & TrendFigures)[]): Trends {
  const withData = points.filter((p) => p.postsAnalysed > 0);
  const x = withData.map((p) => dayBounds(p.day).start.getTime() / 86_400_000);
  const completionRateSlopePerDay =
    withData.length >= 2
      ? leastSquaresSlope(
          x,
          withData.map((p) => p.completionRate),
        )
      : 0;
  const first3sLossSlopePerDay =
    withData.length >= 2
      ? leastSquaresSlope(
          x,
          withData.map((p) => p.first3sLoss),
        )
      : 0;
  return {
    points,
    completionRateSlopePerDay,
    first3sLossSlopePerDay,
    retentionImproving: withData.length >= 3 && completionRateSlopePerDay > 0 && first3sLossSlopePerDay < 0,
  };
}

/** The stored report of a run, when it has one. */
export function reportOf(run: RunRow): DayReport | undefined {
  return run.report && typeof run.report === 'object' ? (run.report as DayReport) : undefined;
}

/** A run row for a day whose run failed before it could be recorded (e.g. the database refused the claim). */
export function unrecordedFailure(tenantId: string, day: string, err: unknown): RunRow {
  const now = new Date();
  return {
    tenantId,
    day,
    status: 'failed',
    trigger: 'backfill',
    attempt: 0,
    startedAt: now,
    finishedAt: now,
    steps: [],
    rowsRead: 0,
    latestObservedAt: null,
    modelVersions: {},
    errorMessage: err instanceof Error ? err.message : String(err),
    report: null,
  };
}
