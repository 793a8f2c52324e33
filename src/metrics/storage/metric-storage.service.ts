// Upkeep of the metric tables' monthly partitions: the coming months created ahead (so no write waits on a
// partition's creation), and with METRICS_RETENTION_DAYS the months past retention dropped whole — but never a
// day that no learning run has learned, nor the metrics of a running experiment's posts.
import { dayBounds } from '../../domain/days.js';
import type { Logger } from '../../log.js';

/** A tenant's UTC day (YYYY-MM-DD), as learning runs are keyed. */
export interface TenantDay {
  tenantId: string;
  day: string;
}

/** A tenant's post. */
export interface TenantPost {
  tenantId: string;
  postId: string;
}

/** What upkeep needs of storage (MetricPartitionRepository). */
export interface PartitionStore {
  createAhead(now: Date, monthsAhead: number): Promise<string[]>;
  /** Drops the months ending at or before `cutoff` and deletes the DEFAULT partitions' rows observed before it. */
  dropMonthsBefore(cutoff: Date): Promise<string[]>;
  analyzeStale(): Promise<string[]>;
  /** The months with a partition ("YYYYMM"), oldest first. */
  months(): Promise<string[]>;
  /** Every (tenant, UTC day) with metrics of any family observed before `cutoff`. */
  daysWithMetricsBefore(cutoff: Date): Promise<TenantDay[]>;
  /** The earliest observation before `cutoff` of each of `posts` (posts without one are left out). */
  firstObservations(posts: readonly TenantPost[], cutoff: Date): Promise<(TenantPost & { firstObservedAt: Date })[]>;
}

/** Which days are learned (the learning area's LearningRepository). */
export interface LearnedDays {
  /** Those of `days` whose learning run succeeded. */
  succeededDays(days: readonly TenantDay[]): Promise<TenantDay[]>;
}

/** Which posts running experiments read (the experiment area's ExperimentRepository). */
export interface RunningExperimentPosts {
  /** The posts of every running experiment, of every tenant. */
  runningExperimentPosts(): Promise<(TenantPost & { experimentId: string })[]>;
}

/** A tenant's days with metrics past retention that no learning run has learned: kept from the first one's start. */
export interface UnlearnedDaysHold {
  tenantId: string;
  firstUnlearnedDay: string;
  unlearnedDays: number;
  keptFrom: Date;
}

/** A running experiment whose posts have metrics past retention: kept from the first observation (of `postId`). */
export interface RunningExperimentHold {
  tenantId: string;
  experimentId: string;
  postId: string;
  firstObservedAt: Date;
  keptFrom: Date;
}

/** What retention must keep, from `keptFrom` on. */
export type RetentionHold = UnlearnedDaysHold | RunningExperimentHold;

/** What one upkeep did. */
export interface Maintenance {
  /** Months created ahead ("YYYYMM"). */
  created: string[];
  /** Months dropped. */
  dropped: string[];
  /** Months past retention that `holds` kept. */
  kept: string[];
  /** What kept rows past retention, earliest first (empty when nothing did). */
  holds: RetentionHold[];
}

/** Months created ahead of the current one. */
const MONTHS_AHEAD = 2;
const DAY_MS = 86_400_000;
/** At most this many holds go into one log line (the count of all is logged beside them). */
const HOLDS_LOGGED = 20;

/** The first instant after month "YYYYMM". */
function monthEnd(month: string): Date {
  return new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(4)), 1));
}

export class MetricStorageService {
  constructor(
    private readonly store: PartitionStore,
    /** 0: keep everything. */
    private readonly retentionDays: number,
    private readonly log: Logger,
    private readonly keep: { learnedDays: LearnedDays; experiments: RunningExperimentPosts },
  ) {}

  /**
   * Creates the partitions of this month and the next two, and drops what was observed more than the retention
   * before `now` — up to the first instant a hold keeps (retentionHolds): whole months that end before it, and the
   * DEFAULT partitions' rows observed before it. Each month past retention that is kept is logged (warn) with what
   * keeps it.
   */
  async maintain(now = new Date()): Promise<Maintenance> {
    const created = await this.store.createAhead(now, MONTHS_AHEAD);
    if (this.retentionDays <= 0) {
      if (created.length > 0) this.log.info({ created, dropped: [], retentionDays: this.retentionDays }, 'metric partitions maintained');
      return { created, dropped: [], kept: [], holds: [] };
    }
    const retentionCutoff = new Date(now.getTime() - this.retentionDays * DAY_MS);
    // NOTE: a record written between these reads and the drop, observed before the cutoff, on a day not learned, can
    // still go with its month: as before, a record observed past retention lives until the next upkeep at least.
    const holds = await this.retentionHolds(retentionCutoff);
    const cutoff = holds.length > 0 && holds[0].keptFrom < retentionCutoff ? holds[0].keptFrom : retentionCutoff;
    // NOTE: one cutoff for every tenant, the earliest hold's: partitions hold all tenants' rows, and a month is only
    // dropped whole. A later month whose own days are all learned waits behind an earlier hold.
    const dropped = await this.store.dropMonthsBefore(cutoff);
    const kept = holds.length > 0 ? (await this.store.months()).filter((m) => monthEnd(m) <= retentionCutoff) : [];
    for (const month of kept) {
      const keptBy = holds.filter((h) => h.keptFrom < monthEnd(month));
      this.log.warn(
        { month, ...(keptBy.length > 0 ? holdLog(keptBy[0]) : {}), holdsCount: keptBy.length, retentionDays: this.retentionDays },
        'metric month past retention kept: a day with metrics in or before it is not learned (learn it: RunDailyLearning or `stakazo-ml learn`), or a running experiment has metrics in or before it',
      );
    }
    if (holds.length > 0) {
      this.log.warn(
        { retentionCutoff, keptFrom: cutoff, kept, holds: holds.slice(0, HOLDS_LOGGED).map(holdLog), holdsCount: holds.length },
        'metric retention held back: rows observed from keptFrom on are kept until these days are learned and these experiments stopped',
      );
    }
    if (created.length > 0 || dropped.length > 0) this.log.info({ created, dropped, retentionDays: this.retentionDays }, 'metric partitions maintained');
    return { created, dropped, kept, holds };
  }

  /**
   * What must outlive retention, earliest first: per tenant, its first day with metrics observed before `cutoff` that
   * no learning run has learned (kept from that day's start, days being UTC as the runs'); per running experiment,
   * the first observation of its posts before `cutoff` (its outcomes are read from them until it stops).
   */
  async retentionHolds(cutoff: Date): Promise<RetentionHold[]> {
    const holds: RetentionHold[] = [];
    const days = await this.store.daysWithMetricsBefore(cutoff);
    const learned = new Set((await this.keep.learnedDays.succeededDays(days)).map((d) => `${d.tenantId}\u0000${d.day}`));
    const unlearned = new Map<string, string[]>();
    for (const d of days) {
      if (learned.has(`${d.tenantId}\u0000${d.day}`)) continue;
      const list = unlearned.get(d.tenantId) ?? [];
      list.push(d.day);
      unlearned.set(d.tenantId, list);
    }
    for (const [tenantId, list] of unlearned) {
      const firstUnlearnedDay = list.sort()[0];
      holds.push({ tenantId, firstUnlearnedDay, unlearnedDays: list.length, keptFrom: dayBounds(firstUnlearnedDay).start });
    }
    const posts = await this.keep.experiments.runningExperimentPosts();
    if (posts.length > 0) {
      const first = new Map((await this.store.firstObservations(posts, cutoff)).map((p) => [`${p.tenantId}\u0000${p.postId}`, p.firstObservedAt]));
      const byExperiment = new Map<string, RunningExperimentHold>();
      for (const post of posts) {
        const firstObservedAt = first.get(`${post.tenantId}\u0000${post.postId}`);
        if (!firstObservedAt) continue;
        const key = `${post.tenantId}\u0000${post.experimentId}`;
        const earlier = byExperiment.get(key);
        if (earlier && earlier.keptFrom <= firstObservedAt) continue;
        byExperiment.set(key, { tenantId: post.tenantId, experimentId: post.experimentId, postId: post.postId, firstObservedAt, keptFrom: firstObservedAt });
      }
      holds.push(...byExperiment.values());
    }
    return holds.sort((a, b) => a.keptFrom.getTime() - b.keptFrom.getTime() || a.tenantId.localeCompare(b.tenantId));
  }

  /**
   * Brings the partitions' planner statistics up to date where they are stale (the learning run calls it before it
   * reads: its per-post reads are only fast with statistics that cover the rows). Returns the partitions analysed.
   */
  async refreshStatistics(): Promise<string[]> {
    const analysed = await this.store.analyzeStale();
    if (analysed.length > 0) this.log.info({ analysed }, 'metric partitions analysed (statistics were stale)');
    return analysed;
  }
}

/** A hold as a log line shows it: {tenant, firstUnlearnedDay, unlearnedDays} or {tenant, experimentId, postId, firstObservedAt}. */
function holdLog(hold: RetentionHold): Record<string, unknown> {
  const { tenantId, keptFrom: _keptFrom, ...rest } = hold;
  return { tenant: tenantId, ...rest };
}
