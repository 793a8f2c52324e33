// Best time to post: a weekday × hour grid in the audience's time zone, shrunk toward the mean, with a held-out confidence.
import { clamp, mulberry32, normalCdf, summarize } from '../math/stats.js';
import { localTimeCache, nextLocalHourStart, type LocalTime } from '../../domain/time-zone.js';
import { extent } from '../../domain/numbers.js';
import type { TimedRow, TimingMetricName } from './timing.types.js';

/** One published post and the outcome to maximise (for views, pass ln(1 + views)). */
export interface TimedOutcome {
  publishedAt: Date;
  outcome: number;
}

/** One weekday × hour cell (mirrors the proto's TimeSlot). */
export interface TimeSlotEstimate {
  /** Monday = 1 … Sunday = 7. */
  weekday: number;
  /** 0..23 in the requested time zone. */
  hour: number;
  /** Mean outcome of the cell's posts; the platform mean when the cell is empty. */
  mean: number;
  sampleSize: number;
  /** (n · mean + k · platformMean) / (n + k). */
  shrunkEstimate: number;
}

/** The result of {@link bestTimeToPost}. */
export interface BestTimeResult {
  /** 168 cells, Monday 00 first. */
  cells: TimeSlotEstimate[];
  /** Up to 3 hours (0..23), best first, from the hour marginals shrunk the same way; only hours with posts. */
  topHours: number[];
  /** Up to 3 weekdays (1..7), best first; only weekdays with posts. */
  topWeekdays: number[];
  /** Up to 3 cells, best first; only cells with posts. */
  topSlots: TimeSlotEstimate[];
  /** 0..1; see {@link bestTimeToPost}. */
  confidence: number;
  sampleSize: number;
  platformMean: number;
  /** The k used for the cells (pseudo-posts at the platform mean). */
  shrinkageStrength: number;
}

/** Tuning; defaults are what the service uses. */
export interface BestTimeOptions {
  /** Fixed k instead of the empirical-Bayes estimate. */
  shrinkageStrength?: number;
  /** Seed of the held-out splits behind the confidence. Default 1. */
  seed?: number;
  /** Random half splits averaged in the confidence. Default 10. */
  repetitions?: number;
  /** Below this many posts the confidence is 0. Default 10. */
  minSampleSize?: number;
}

/** Hours chosen on one half and tested on the other: the best one, so that runners-up do not dilute a real peak. */
const HELD_OUT_TOP = 1;
/** Posts at which the sample-size factor of the confidence is 0.5: n / (n + 100). */
const CONFIDENCE_HALF_SAMPLE = 100;

/** Bounds of the shrinkage strength k: at least one pseudo-post; at most "everything is the mean". */
const MIN_K = 1;
const MAX_K = 10_000;

interface Group {
  n: number;
  sum: number;
  sumSquares: number;
}

/**
 * Empirical-Bayes shrinkage strength k = σ²_within / τ²_between of groups (one-way random-effects method of
 * moments), clamped to [1, 10 000]: with no real difference between groups (τ² ≤ 0) every estimate is pulled to
 * the overall mean, so noise cannot produce a peak.
 */
export function shrinkageStrength(groups: readonly Group[]): number {
  const used = groups.filter((g) => g.n > 0);
  const total = used.reduce((s, g) => s + g.n, 0);
  if (used.length < 2 || total < 3) return MAX_K;
  const grandMean = used.reduce((s, g) => s + g.sum, 0) / total;
  let within = 0;
  let between = 0;
  let totalSquares = 0;
  for (const g of used) {
    const m = g.sum / g.n;
    within += g.sumSquares - g.n * m * m;
    between += g.n * (m - grandMean) ** 2;
    totalSquares += g.n * g.n;
  }
  const withinVariance = total > used.length ? Math.max(0, within) / (total - used.length) : (Math.max(0, within) + between) / (total - 1);
  const tau2 = (between - (used.length - 1) * withinVariance) / (total - totalSquares / total);
  if (!(tau2 > 0)) return MAX_K;
  return clamp(withinVariance / tau2, MIN_K, MAX_K);
}

function emptyGroups(count: number): Group[] {
  return Array.from({ length: count }, () => ({ n: 0, sum: 0, sumSquares: 0 }));
}

function add(group: Group, value: number): void {
  group.n++;
  group.sum += value;
  group.sumSquares += value * value;
}

const shrink = (g: Group, k: number, overall: number) => (g.sum + k * overall) / (g.n + k);

/** Indices of the (up to) 3 best non-empty groups by shrunk estimate; ties by size, then index. */
function topGroups(groups: readonly Group[], k: number, overall: number, count = 3): number[] {
  return groups
    .map((g, index) => ({ index, n: g.n, estimate: shrink(g, k, overall) }))
    .filter((g) => g.n > 0)
    .sort((a, b) => b.estimate - a.estimate || b.n - a.n || a.index - b.index)
    .slice(0, count)
    .map((g) => g.index);
}

const cellIndex = (local: LocalTime) => (local.weekday - 1) * 24 + local.hour;

/** The 168 cells of a set of posts and their top 3, with their own k. */
function gridOf(locals: readonly LocalTime[], outcomes: readonly number[], rows: readonly number[], fixedK?: number) {
  const cells = emptyGroups(168);
  let sum = 0;
  for (const row of rows) {
    add(cells[cellIndex(locals[row])], outcomes[row]);
    sum += outcomes[row];
  }
  const overall = rows.length ? sum / rows.length : 0;
  const k = fixedK ?? shrinkageStrength(cells);
  return { cells, overall, k, top: topGroups(cells, k, overall) };
}

/**
 * Builds the weekday × hour grid of the posts in `timeZone`, each cell shrunk toward the platform mean by an
 * empirical-Bayes k, and the top hours, weekdays and slots.
 *
 * The confidence is honest about selection: the posts are split in random halves (seeded); the best hour is
 * chosen on one half and the other half's posts in that hour are compared with the rest (and vice versa), as a
 * z statistic with the overall spread, averaged over 10 splits. confidence = Φ(z̄ − 2) · n / (n + 100): about 0 on
 * noise, 0.5 · n/(n+100) when the held-out advantage is two standard errors, near 1 when it is large and well
 * sampled; the factor keeps a handful of posts from ever looking certain. (An hour rather than a cell: a cell holds
 * too few posts for a held-out test to say anything, and the top slots are cells of the top hours when the effect is
 * real.)
 * With fewer than `minSampleSize` posts it is 0; with no posts every top list is empty.
 */
export function bestTimeToPost(posts: readonly TimedOutcome[], timeZone: string, options: BestTimeOptions = {}): BestTimeResult {
  const toLocal = localTimeCache(timeZone);
  const locals = posts.map((p) => toLocal(p.publishedAt));
  const outcomes = posts.map((p) => p.outcome);
  const allRows = posts.map((_, i) => i);
  const grid = gridOf(locals, outcomes, allRows, options.shrinkageStrength);

  const hours = emptyGroups(24);
  const weekdays = emptyGroups(7);
  allRows.forEach((row) => {
    add(hours[locals[row].hour], outcomes[row]);
    add(weekdays[locals[row].weekday - 1], outcomes[row]);
  });

  const cells = grid.cells.map((g, index) => ({
    weekday: Math.floor(index / 24) + 1,
    hour: index % 24,
    mean: g.n ? g.sum / g.n : grid.overall,
    sampleSize: g.n,
    shrunkEstimate: shrink(g, grid.k, grid.overall),
  }));
  return {
    cells,
    topHours: topGroups(hours, options.shrinkageStrength ?? shrinkageStrength(hours), grid.overall),
    topWeekdays: topGroups(weekdays, options.shrinkageStrength ?? shrinkageStrength(weekdays), grid.overall).map((i) => i + 1),
    topSlots: grid.top.map((index) => cells[index]),
    confidence: posts.length < (options.minSampleSize ?? 10) ? 0 : heldOutConfidence(locals, outcomes, options),
    sampleSize: posts.length,
    platformMean: grid.overall,
    shrinkageStrength: grid.k,
  };
}

/** Φ(mean held-out z − 2) over seeded half splits; see {@link bestTimeToPost}. */
function heldOutConfidence(locals: readonly LocalTime[], outcomes: readonly number[], options: BestTimeOptions): number {
  const random = mulberry32(options.seed ?? 1);
  const repetitions = options.repetitions ?? 10;
  const spread = Math.sqrt(summarize(outcomes).variance);
  if (spread === 0) return 0;
  let zSum = 0;
  for (let r = 0; r < repetitions; r++) {
    const halves: number[][] = [[], []];
    outcomes.forEach((_, row) => {
      halves[random() < 0.5 ? 0 : 1].push(row);
    });
    const inTop = emptyGroups(1)[0];
    const rest = emptyGroups(1)[0];
    for (const [fit, test] of [
      [halves[0], halves[1]],
      [halves[1], halves[0]],
    ]) {
      const hours = emptyGroups(24);
      let sum = 0;
      for (const row of fit) {
        add(hours[locals[row].hour], outcomes[row]);
        sum += outcomes[row];
      }
      const top = new Set(topGroups(hours, options.shrinkageStrength ?? shrinkageStrength(hours), fit.length ? sum / fit.length : 0, HELD_OUT_TOP));
      for (const row of test) add(top.has(locals[row].hour) ? inTop : rest, outcomes[row]);
    }
    // NOTE: the overall spread, not each side's: a side of two posts would otherwise make a huge t by chance.
    if (inTop.n > 0 && rest.n > 0) zSum += (inTop.sum / inTop.n - rest.sum / rest.n) / (spread * Math.sqrt(1 / inTop.n + 1 / rest.n));
  }
  return normalCdf(zSum / repetitions - 2) * (outcomes.length / (outcomes.length + CONFIDENCE_HALF_SAMPLE));
}

/** Start of the next top slot strictly after `after`, in `timeZone` (DST-aware); undefined without top slots. */
export function nextBestSlotTime(result: Pick<BestTimeResult, 'topSlots'>, timeZone: string, after: Date): Date | undefined {
  let next: Date | undefined;
  for (const slot of result.topSlots) {
    const candidate = nextLocalHourStart(after, timeZone, slot.weekday, slot.hour);
    if (candidate && (!next || candidate < next)) next = candidate;
  }
  return next;
}

/**
 * Timing value 0..1 of a planned slot for the virality formula: the cell's shrunk estimate scaled between the
 * lowest and highest shrunk estimates of the grid; 0.5 (neutral) when the grid has no spread or no data.
 */
export function slotTimingValue(result: Pick<BestTimeResult, 'cells' | 'sampleSize'>, weekday: number, hour: number): number {
  if (result.sampleSize === 0) return 0.5;
  const estimates = result.cells.map((c) => c.shrunkEstimate);
  const { min: low, max: high } = extent(estimates);
  if (high - low <= 1e-12 * Math.max(1, Math.abs(high))) return 0.5;
  return clamp((result.cells[(weekday - 1) * 24 + hour].shrunkEstimate - low) / (high - low), 0, 1);
}

/**
 * The grid of one platform's posts of a window (the rows of BestTimeRepository.timedOutcomes or timing-windows.ts).
 * Views are compared as ln(1 + views) (a few viral posts would otherwise decide every cell); engagement rate as is,
 * over posts with views and an engagement observation.
 */
export function bestTimeOfRows(
  rows: readonly TimedRow[],
  window: { timeZone: string; metric: TimingMetricName },
  options: BestTimeOptions = {},
): BestTimeResult {
  const outcomes: TimedOutcome[] =
    window.metric === 'views'
      ? rows.map((r) => ({ publishedAt: r.publishedAt, outcome: Math.log1p(r.views) }))
      : rows.filter((r) => r.interactions !== null && r.views > 0).map((r) => ({ publishedAt: r.publishedAt, outcome: r.interactions! / r.views }));
  return bestTimeToPost(outcomes, window.timeZone, options);
}
