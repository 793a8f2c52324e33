// The daily learning run and the reads around it: snapshots, retention analysis, clusters, reports, history.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { AppError, failedPrecondition, invalidArgument, notFound } from '../../errors.js';
import type { Logger } from '../../log.js';
import { clusterRetentionCurves, type ClusteringResult } from '../retention/clustering.js';
import { dayBounds, dayCount, dayOf, daysBetween, parseDay } from '../../domain/days.js';
import type { LearningRepository } from './learning.repository.js';
import type { DayInput, ExperimentUpdater, OrphanedRun, RunRow, SnapshotRow } from './learning.types.js';
import { reportOf, trendsOf, unrecordedFailure, type Trends } from './run-history.js';
import {
  analyseDay,
  assembleReport,
  discoverInsights,
  insightRows,
  postRetention,
  type DayReport,
  type PostRetention,
  type TrendFigures,
} from './day-report.js';
import { decodePageToken, encodePageToken, pageSizeOf, queryFingerprint } from '../../domain/paging.js';
import type { Adviser } from '../advice/advice.types.js';
import { stopped, throwIfStopped } from '../../domain/deadline.js';

export type Trigger = 'api' | 'scheduler' | 'backfill';
export type Reprocess = 'none' | 'failed' | 'all';

/** A run with its report (the report is absent while running or after a failure). */
export interface RunWithReport {
  run: RunRow;
  report?: DayReport;
  reused: boolean;
}

/** Hooks the learning run calls to update learned state (models of the virality and best-time side). */
export interface LearningStateUpdater {
  /** Retrains what depends on history up to `day`; returns the model versions in use afterwards. */
  update(tenantId: string, day: string): Promise<Record<string, string>>;
}

export interface LearningServiceOptions {
  /** A `running` run older than this is considered dead and may be claimed again. */
  staleRunMs?: number;
  now?: () => Date;
  stateUpdater?: LearningStateUpdater;
  /** Looks at the running experiments after the models are updated (their covariate is the model's prediction). */
  experimentUpdater?: ExperimentUpdater;
  onRunFinished?: (status: 'succeeded' | 'failed', durationMs: number) => void;
  /** Derives the day's recommendations from the learned outcome models (none without it). */
  adviser?: Adviser;
  /** Brings the metric tables' planner statistics up to date before the day is read (MetricStorageService). */
  refreshStatistics?: () => Promise<unknown>;
}

const MAX_RANGE_DAYS = 366;

/** The key of a (tenant, day) run in {@link LearningService}'s runs in flight. */
const runKey = (tenantId: string, day: string) => `${tenantId}\u0000${day}`;

/** Waits for `work`, or less when `signal` aborts first (the caller then checks the signal). */
function untilAborted(work: Promise<unknown>, signal: AbortSignal | undefined): Promise<unknown> {
  if (!signal) return work;
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve(undefined);
    };
    signal.addEventListener('abort', done);
    work.then(done, done);
  });
}

/**
 * A point where long work may stop: lets the event loop run, then throws the abort reason if `signal` is aborted.
 * NOTE: yielding matters: PGlite answers in microtasks, so a loop of its queries never let grpc-js read the
 * client's cancel (or fire the deadline timer), and a 366-day backfill ran to its end unaware it was cancelled.
 */
async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await yieldToEventLoop();
  throwIfStopped(signal);
}

/** Wall time of the steps of a run; a step does not start once `signal` is aborted (it throws the abort reason). */
class StepTimer {
  readonly steps: { step: string; durationMs: number }[] = [];
  constructor(private readonly signal?: AbortSignal) {}
  async time<T>(step: string, fn: () => Promise<T> | T): Promise<T> {
    await checkpoint(this.signal);
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.steps.push({ step, durationMs: Math.round((performance.now() - start) * 1000) / 1000 });
    }
  }
}

export class LearningService {
  private readonly now: () => Date;
  private readonly staleRunMs: number;
  /** The runs this process is running, by tenant and day: a caller waiting for one of them needs no polling. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly repo: LearningRepository,
    private readonly log: Logger,
    private readonly options: LearningServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.staleRunMs = options.staleRunMs ?? 30 * 60_000;
  }

  private completedDay(value: string, field = 'day'): string {
    return parseDay(value, field, this.now(), { beforeToday: true });
  }

  private range(startDay: string, endDay: string, options: { beforeToday?: boolean } = {}): string[] {
    const start = parseDay(startDay, 'start_day', this.now(), options);
    const end = endDay ? parseDay(endDay, 'end_day', this.now(), options) : start;
    if (end < start) throw invalidArgument(`end_day ${end} is before start_day ${start}`, 'end_day');
    const count = dayCount(start, end);
    if (count > MAX_RANGE_DAYS) throw invalidArgument(`the range has ${count} days; at most ${MAX_RANGE_DAYS}`, 'end_day');
    return daysBetween(start, end);
  }

  async buildSnapshot(tenantId: string, dayValue: string): Promise<SnapshotRow[]> {
    const day = parseDay(dayValue, 'day', this.now());
    if (day > dayOf(this.now())) throw invalidArgument(`day ${day} is in the future`, 'day');
    const { start, end } = dayBounds(day);
    return this.repo.buildSnapshots(tenantId, day, start, end);
  }

  async getSnapshot(tenantId: string, dayValue: string, platform?: string): Promise<SnapshotRow[]> {
    const day = parseDay(dayValue, 'day', this.now());
    return this.repo.listSnapshots(tenantId, day, day, platform);
  }

  /**
   * Stored snapshots of the days [startDay, endDay], the one reader of daily_snapshots for other areas
   * (ListDailySnapshots). NOTE: the days are checked, but not the range's length: the caller's edge bounds it
   * (MetricsService's validation allows up to 366 days after the start), and a second, different limit here
   * would change that RPC's answer.
   */
  async listSnapshots(tenantId: string, startDay: string, endDay: string, platform?: string): Promise<SnapshotRow[]> {
    const start = parseDay(startDay, 'start_day', this.now());
    const end = parseDay(endDay, 'end_day', this.now());
    if (end < start) throw invalidArgument(`end_day ${end} is before start_day ${start}`, 'end_day');
    return this.repo.listSnapshots(tenantId, start, end, platform);
  }

  /** Clusters the posts observed in a day range by the shape of their latest retention curve. */
  async clusters(tenantId: string, startDay: string, endDay: string, platform: string | undefined, maxClusters: number): Promise<ClusteringResult> {
    const days = this.range(startDay, endDay);
    if (maxClusters !== 0 && (maxClusters < 2 || maxClusters > 10))
      throw invalidArgument(`max_clusters ${maxClusters} is outside 2..10 (0 means 6)`, 'max_clusters');
    const { posts } = await this.repo.readDay(tenantId, dayBounds(days[0]).start, dayBounds(days[days.length - 1]).end);
    const rows = posts.filter((p) => (!platform || p.platform === platform) && Array.isArray(p.retentionCurve) && p.retentionCurve.length > 1);
    return clusterRetentionCurves(
      rows.map((p) => ({
        postId: p.postId,
        curve: p.retentionCurve!,
        views: p.views,
        completionRate: p.completionRate,
        first3sLoss: postRetention(p).first3sLoss,
      })),
      { maxClusters: maxClusters || 6 },
    );
  }

  /**
   * Learns one day: read → analyse retention → discover insights → update state → advice from the models → update the
   * running experiments (their decisions go in the report), recorded in
   * learning_runs. A day already learned is returned as stored unless `force`. Exactly one caller runs a given
   * (tenant, day) at a time, across replicas. `signal` (the call's) is checked between the steps: a cancelled run
   * stops there and is recorded as failed.
   */
  async runDay(tenantId: string, dayValue: string, options: { force?: boolean; trigger?: Trigger; signal?: AbortSignal } = {}): Promise<RunWithReport> {
    const day = this.completedDay(dayValue);
    const signal = options.signal;
    throwIfStopped(signal);
    const claim = await this.repo.claimRun(tenantId, day, options.trigger ?? 'api', Boolean(options.force), this.staleRunMs);
    if (!claim.claimed) {
      if (claim.reason === 'done' && claim.run) return { run: claim.run, report: reportOf(claim.run), reused: true };
      throw new HeldElsewhere(`the learning run of ${day} is in progress elsewhere; retry when it has finished`);
    }
    const key = runKey(tenantId, day);
    let settle = () => {};
    this.inFlight.set(
      key,
      new Promise<void>((resolve) => {
        settle = resolve;
      }),
    );
    try {
      return await this.learnClaimedDay(tenantId, day, claim.run, signal);
    } finally {
      this.inFlight.delete(key);
      settle();
    }
  }

  /** The claimed run of a day: its steps, then its record (succeeded, or failed with the reason). */
  private async learnClaimedDay(tenantId: string, day: string, claimed: RunRow, signal: AbortSignal | undefined): Promise<RunWithReport> {
    const claim = { run: claimed };
    const attempt = claim.run.attempt;
    const timer = new StepTimer(signal);
    const started = performance.now();
    let rowsRead = 0;
    let latestObservedAt: Date | null = null;
    try {
      const { start, end } = dayBounds(day);
      const { refreshStatistics } = this.options;
      if (refreshStatistics) await timer.time('refresh_statistics', refreshStatistics);
      const input = await timer.time('read_metrics', () => this.repo.readDay(tenantId, start, end));
      rowsRead = input.rowsRead;
      latestObservedAt = input.latestObservedAt;
      // NOTE: a day's posts only grow (metrics are append-only): fewer than its last good report means metrics were
      // dropped (retention). That report stays the day's answer rather than one built on what is left.
      const previousPosts = claim.run.previousSuccess ? reportOf(claim.run.previousSuccess)?.postsAnalysed : undefined;
      if (previousPosts !== undefined && input.posts.length < previousPosts) {
        throw failedPrecondition(
          `the metrics of ${day} now hold ${input.posts.length} posts where its report was built on ${previousPosts} (dropped by METRICS_RETENTION_DAYS?); the report on ${previousPosts} posts is kept`,
        );
      }
      const snapshots = await timer.time('build_snapshot', () => this.repo.buildSnapshots(tenantId, day, start, end));
      const analysis = await timer.time('analyse_retention', () => analyseDay(input.posts));
      const rows = insightRows(input.posts, analysis.retention);
      const insights = await timer.time('discover_insights', () => discoverInsights(rows));
      const modelVersions = await timer.time('update_state', () => this.options.stateUpdater?.update(tenantId, day) ?? {});
      // NOTE: advice comes from the outcome models over the rolling window, not from the day's insights.
      const recommendations = await timer.time('generate_recommendations', () => this.options.adviser?.advise(tenantId, day) ?? []);
      const experiments = await timer.time('update_experiments', () => this.options.experimentUpdater?.updateRunning(tenantId, day, signal) ?? []);
      const report = { ...assembleReport(day, input.posts, snapshots, analysis, insights, recommendations), experiments };
      await checkpoint(signal);
      const run = await this.repo.finishRun(tenantId, day, attempt, {
        status: 'succeeded',
        steps: timer.steps,
        rowsRead,
        latestObservedAt,
        modelVersions,
        errorMessage: '',
        report,
      });
      this.options.onRunFinished?.('succeeded', performance.now() - started);
      this.log.info({ tenantId, day, rowsRead, posts: report.postsAnalysed, steps: timer.steps }, 'learning run succeeded');
      if (!run) throw failedPrecondition(`the learning run of ${day} was taken over by another runner`);
      return { run, report, reused: false };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.error({ err, tenantId, day }, 'learning run failed');
      this.options.onRunFinished?.('failed', performance.now() - started);
      await this.repo
        .finishRun(tenantId, day, attempt, {
          status: 'failed',
          steps: timer.steps,
          rowsRead,
          latestObservedAt,
          modelVersions: {},
          errorMessage: message,
          report: null,
        })
        .catch((e) => this.log.error({ err: e, tenantId, day }, 'cannot record the failed run'));
      throw err;
    }
  }

  /**
   * Runs a day range in order; `reprocess` says which already-run days run again. A day that fails is recorded and
   * the range goes on; a cancellation (`signal` aborted, checked before each day) stops it and is rethrown.
   */
  async backfill(
    tenantId: string,
    startDay: string,
    endDay: string,
    reprocess: Reprocess,
    onDay?: (day: string, index: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<{ runs: RunWithReport[]; daysRun: number }> {
    const days = this.range(startDay, endDay, { beforeToday: true });
    const skip =
      reprocess === 'all'
        ? new Set<string>()
        : await this.repo.daysWithStatus(tenantId, days[0], days[days.length - 1], reprocess === 'failed' ? ['succeeded'] : ['succeeded', 'failed']);
    const runs: RunWithReport[] = [];
    let daysRun = 0;
    for (const [index, day] of days.entries()) {
      await checkpoint(signal);
      onDay?.(day, index, days.length);
      if (skip.has(day)) {
        const stored = await this.repo.getRun(tenantId, day);
        if (stored) runs.push({ run: stored, report: reportOf(stored), reused: true });
        continue;
      }
      const result = await this.runOrAwait(tenantId, day, reprocess === 'all' || reprocess === 'failed', signal);
      runs.push(result);
      if (!result.reused && result.run.status === 'succeeded') daysRun++;
    }
    return { runs, daysRun };
  }

  /**
   * Runs one day of a backfill and always answers with that day's run: its own, the failed run when it failed, or,
   * when another caller holds the day (a concurrent Backfill or the scheduler), that caller's run once it has
   * finished. NOTE: three concurrent Backfills of 366 days answered 329–337 runs each when a held day was dropped.
   */
  private async runOrAwait(tenantId: string, day: string, force: boolean, signal: AbortSignal | undefined): Promise<RunWithReport> {
    const deadline = Date.now() + this.staleRunMs;
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      try {
        return await this.runDay(tenantId, day, { force, trigger: 'backfill', signal });
      } catch (err) {
        if (stopped(signal) || isCancellation(err)) throw err;
        const stored = await this.repo.getRun(tenantId, day);
        if (!(err instanceof HeldElsewhere)) return stored ? { run: stored, reused: false } : { run: unrecordedFailure(tenantId, day, err), reused: false };
        if (stored && stored.status !== 'running') return { run: stored, report: reportOf(stored), reused: true };
        if (Date.now() > deadline) return stored ? { run: stored, reused: true } : { run: unrecordedFailure(tenantId, day, err), reused: false };
      }
      // NOTE: a run of this process is awaited (answered the moment it ends); another process's is polled.
      await untilAborted(this.inFlight.get(runKey(tenantId, day)) ?? new Promise((resolve) => setTimeout(resolve, wait)), signal);
      await checkpoint(signal);
      // NOTE: the other caller's run is done (or its claim gave way): claiming again returns it (not forced once it
      // has succeeded elsewhere) or runs the day.
      force = false;
    }
  }

  /**
   * Records as failed the runs whose runner process is gone (killed, crashed) so they do not look running, and
   * returns them for the caller (the scheduler) to learn again.
   */
  async recoverOrphanedRuns(): Promise<OrphanedRun[]> {
    const orphaned = await this.repo.failOrphanedRuns(this.staleRunMs);
    for (const run of orphaned) this.log.warn(run, 'learning run orphaned by a runner that is gone: recorded as failed, to be learned again');
    return orphaned;
  }

  /** The posts observed in the whole days [fromDay, toDay] (UTC), each with its latest observation. */
  postsObserved(tenantId: string, fromDay: string, toDay: string): Promise<DayInput> {
    return this.repo.readDay(tenantId, dayBounds(fromDay).start, dayBounds(toDay).end);
  }

  /** The retention analysis of one post's latest observation. */
  async retentionOfPost(tenantId: string, postId: string): Promise<PostRetention> {
    if (!postId) throw invalidArgument('post_id is empty', 'post_id');
    const row = await this.repo.latestOfPost(tenantId, postId);
    if (!row) throw notFound(`post "${postId}" has no retention observation (or does not exist)`);
    return postRetention(row);
  }

  async report(tenantId: string, dayValue: string): Promise<RunWithReport> {
    const day = parseDay(dayValue, 'day', this.now());
    const run = await this.repo.getRun(tenantId, day);
    if (!run) throw notFound(`no learning run for ${day}; run RunDailyLearning first`);
    // The day is being learned again (or that attempt failed): its last good report is still the answer.
    if (run.status !== 'succeeded' && run.previousSuccess) return { run: run.previousSuccess, report: reportOf(run.previousSuccess), reused: true };
    if (run.status !== 'succeeded') throw failedPrecondition(`the learning run of ${day} is ${run.status}${run.errorMessage ? `: ${run.errorMessage}` : ''}`);
    return { run, report: reportOf(run), reused: true };
  }

  /** Runs newest first, and trends over every successful run of the range. */
  async listRuns(
    tenantId: string,
    startDay: string,
    endDay: string,
    pageSize: number,
    pageToken: string,
  ): Promise<{ runs: RunRow[]; nextPageToken: string; trends: Trends }> {
    const start = startDay ? parseDay(startDay, 'start_day', this.now()) : null;
    const end = endDay ? parseDay(endDay, 'end_day', this.now()) : null;
    const limit = pageSizeOf(pageSize, 100, 1000);
    const fingerprint = queryFingerprint(['runs', start, end]);
    const before = decodePageToken(pageToken, fingerprint, 1)?.[0];
    const runs = await this.repo.listRuns(tenantId, start, end, typeof before === 'string' ? before : null, limit + 1);
    const page = runs.slice(0, limit);
    const nextPageToken = runs.length > limit ? encodePageToken([page[page.length - 1].day], fingerprint) : '';
    const points = (await this.repo.trendPoints(tenantId, start, end))
      .filter((p) => p.report && typeof p.report === 'object')
      .map((p) => ({ day: p.day, ...(p.report as TrendFigures) }));
    return { runs: page, nextPageToken, trends: trendsOf(points) };
  }
}

/** The day's run is claimed by another caller right now (FAILED_PRECONDITION to an RunDailyLearning caller). */
class HeldElsewhere extends AppError {
  constructor(message: string) {
    super('failed_precondition', message);
  }
}

/** Whether `err` says the work was cancelled (by the caller, its deadline, or a cancelled query). */
function isCancellation(err: unknown): boolean {
  return err instanceof AppError && (err.kind === 'cancelled' || err.kind === 'deadline_exceeded');
}
