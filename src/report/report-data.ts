// Gathers what the learning report page shows for a tenant and day: the stored report, history, best-time grids
// the day's virality scores and the experiments' effects over days. Reads through the services; no rendering here.
import type { Services } from '../app.js';
import { notFound } from '../errors.js';
import type { Logger } from '../log.js';
import { bestTimeToPost, slotTimingValue, type TimeSlotEstimate } from '../learning/timing/timing-grid.js';
import { addDays } from '../domain/days.js';
import type { DayPostRow } from '../learning/run/learning.types.js';
import type { Trends } from '../learning/run/run-history.js';
import { postRetention, type DayReport } from '../learning/run/day-report.js';
import { isValidTimeZone, localTime } from '../domain/time-zone.js';
import { invalidArgument } from '../errors.js';
import type { TrendFigures } from '../learning/run/day-report.js';
import { brandName } from './wording.js';
import { coldStartPrediction } from '../learning/virality/virality.js';

/** Days of posts the best-time grids are estimated from (ending on the report's day). */
export const BEST_TIME_WINDOW_DAYS = 28;
/** Days of learning history shown in the trend chart. */
export const HISTORY_DAYS = 60;

export interface BestTimeGrid {
  platform: string;
  timeZone: string;
  cells: Pick<TimeSlotEstimate, 'weekday' | 'hour' | 'shrunkEstimate' | 'sampleSize'>[];
  topSlots: Pick<TimeSlotEstimate, 'weekday' | 'hour' | 'shrunkEstimate' | 'sampleSize'>[];
  confidence: number;
  sampleSize: number;
}

/** Everything the page renders; plain JSON. */
export interface ReportPageData {
  tenantId: string;
  day: string;
  generatedAt: string;
  run: { status: string; startedAt: string; finishedAt: string | null; steps: { step: string; durationMs: number }[]; modelVersions: Record<string, string> };
  report: DayReport;
  history: Trends;
  bestTime: { windowStartDay: string; windowEndDay: string; grids: BestTimeGrid[] };
  virality: {
    source: 'learned_model' | 'cold_start_formula';
    note: string;
    scores: number[];
    /** Learned model only: why the day's best-scored post scores as it does (its largest contributions, in words). */
    explanation?: { title: string; lines: string[] };
  };
  /** The experiments the day's run looked at, each with its primary effect per day up to the report's day. */
  experiments?: ExperimentChart[];
  /** The heatmaps' time zone (requested, else the posts' most common one) and the zones offered to choose from. */
  timeZone?: { chosen: string; options: string[] };
  /** Display names of the platforms on the page ("tiktok" → "TikTok"). */
  platformNames?: Record<string, string>;
  /** The day against the learned day before it, when there is one. */
  sinceYesterday?: { previousDay: string; today: TrendFigures; previous: TrendFigures } | null;
}

/** Time zones always offered by the page's choice, beside the posts' own. */
const COMMON_TIME_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Madrid',
  'America/New_York',
  'America/Mexico_City',
  'America/Sao_Paulo',
  'America/Los_Angeles',
  'Asia/Tokyo',
];

/** What the page shows for a request beyond tenant and day. */
export interface ReportPageOptions {
  /** IANA time zone of the heatmaps; default: the posts' most common one. */
  timeZone?: string;
}

/** One experiment's chart: the treatments' relative effects and always-valid intervals, day by day. */
export interface ExperimentChart {
  experimentId: string;
  name: string;
  primaryMetric: string;
  decision: string;
  reason: string;
  points: { day: string; variants: { variant: string; effect: number | null; lower: number | null; upper: number | null }[] }[];
}

/** The day's experiment lines with their history (read through the experiment service). */
async function experimentCharts(services: Pick<Services, 'experiment'>, tenantId: string, report: DayReport, day: string): Promise<ExperimentChart[]> {
  return Promise.all(
    (report.experiments ?? []).map(async (e) => ({
      experimentId: e.experimentId,
      name: e.name,
      primaryMetric: e.primaryMetric,
      decision: e.decision,
      reason: e.reason,
      points: (await services.experiment.history(tenantId, e.experimentId, day)).map((h) => ({
        day: h.day,
        variants: h.result.primary.variants
          .slice(1)
          .map((v) => ({ variant: v.variant, effect: v.effectRelative, lower: v.effectRelativeLower, upper: v.effectRelativeUpper })),
      })),
    })),
  );
}

/** The most common time zone of the posts (their audience's), UTC when there are none. */
function dominantTimeZone(posts: readonly DayPostRow[]): string {
  const counts = new Map<string, number>();
  for (const p of posts) counts.set(p.timeZone, (counts.get(p.timeZone) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? 'UTC';
}

/** Weekday × hour grids of ln(1 + views) per platform over the window's posts, in `timeZone` (default: the posts'). */
export function bestTimeGrids(posts: readonly DayPostRow[], timeZone = dominantTimeZone(posts)): BestTimeGrid[] {
  const platforms = [...new Set(posts.map((p) => p.platform))].sort();
  return platforms.map((platform) => {
    const result = bestTimeToPost(
      posts.filter((p) => p.platform === platform).map((p) => ({ publishedAt: new Date(p.publishedAt), outcome: Math.log1p(p.views) })),
      timeZone,
    );
    const slim = ({ weekday, hour, shrunkEstimate, sampleSize }: TimeSlotEstimate) => ({ weekday, hour, shrunkEstimate, sampleSize });
    return {
      platform,
      timeZone,
      cells: result.cells.map(slim),
      topSlots: result.topSlots.map(slim),
      confidence: result.confidence,
      sampleSize: result.sampleSize,
    };
  });
}

/**
 * Cold-start formula scores of the day's posts, with the tenant's engagement per platform and the timing value
 * of each post's slot in its platform's grid: the fallback when the virality service cannot score.
 */
export function coldStartScores(posts: readonly DayPostRow[], report: DayReport, windowPosts: readonly DayPostRow[]): number[] {
  const engagementRateByPlatform = Object.fromEntries(report.platforms.map((p) => [p.platform, p.meanEngagementRate]));
  const timeZone = dominantTimeZone(windowPosts);
  const grids = new Map(
    [...new Set(windowPosts.map((p) => p.platform))].map((platform) => [
      platform,
      bestTimeToPost(
        windowPosts.filter((p) => p.platform === platform).map((p) => ({ publishedAt: new Date(p.publishedAt), outcome: Math.log1p(p.views) })),
        timeZone,
      ),
    ]),
  );
  return posts.map((p) => {
    const local = localTime(new Date(p.publishedAt), timeZone);
    const grid = grids.get(p.platform);
    return coldStartPrediction(
      { ...p, platform: p.platform, publishHour: local.hour, publishWeekday: local.weekday, first3sLoss: postRetention(p).first3sLoss },
      { engagementRateByPlatform, timingValue: grid ? () => slotTimingValue(grid, local.weekday, local.hour) : undefined },
    ).score;
  });
}

/** Virality scores of the day's posts as PredictVirality gives them now; the formula if that fails. */
async function viralityScores(
  services: Pick<Services, 'virality'>,
  log: Logger,
  tenantId: string,
  posts: readonly DayPostRow[],
  report: DayReport,
  windowPosts: readonly DayPostRow[],
): Promise<ReportPageData['virality']> {
  const formula = 'the cold-start formula (retention 35 %, engagement 30 %, quality 20 %, timing 15 %)';
  try {
    const items = posts.map((p, index) => ({ index, contentId: p.contentId, platform: p.platform, plannedAt: new Date(p.publishedAt), timeZone: p.timeZone }));
    const answers = items.length ? await services.virality.predict(tenantId, items, 100) : [];
    const learned = answers.length > 0 && !answers[0].coldStart;
    const best = learned ? answers.reduce((a, b) => (b.score > a.score ? b : a)) : undefined;
    return {
      source: learned ? 'learned_model' : 'cold_start_formula',
      note: `Scores PredictVirality gives the day's posts now, from ${learned ? `the learned model ${answers[0].modelVersion} (predicted percentile of views)` : `${formula}, as no model has been promoted yet`}.`,
      scores: answers.map((a) => a.score),
      ...(best?.contributions?.length
        ? {
            explanation: {
              title: `Why the day's best-scored post (${best.contentId}, score ${best.score.toFixed(0)}) scores high: its largest contributions against the average post`,
              lines: best.contributions.slice(0, 4).map((c) => c.label),
            },
          }
        : {}),
    };
  } catch (err) {
    log.warn({ err, tenantId }, 'report page: virality predictions failed; showing the cold-start formula');
    return {
      source: 'cold_start_formula',
      note: `Scores of ${formula} for the day's posts (the virality model could not be read).`,
      scores: coldStartScores(posts, report, windowPosts),
    };
  }
}

/** Reads the page's data; NOT_FOUND when the day has no learning run, FAILED_PRECONDITION when it failed. */
export async function gatherReportData(
  services: Pick<Services, 'learning' | 'virality' | 'tenancy' | 'experiment'>,
  log: Logger,
  tenantId: string,
  day: string,
  now = new Date(),
  options: ReportPageOptions = {},
): Promise<ReportPageData> {
  if (options.timeZone !== undefined && !isValidTimeZone(options.timeZone))
    throw invalidArgument(`tz "${options.timeZone}" is not an IANA time zone (e.g. Europe/Madrid, America/New_York, UTC)`, 'tz');
  const service = services.learning;
  if (!(await services.tenancy.tenantExists(tenantId))) throw notFound(`tenant "${tenantId}" does not exist`);
  const { run, report } = await service.report(tenantId, day);
  if (!report) throw notFound(`the learning run of ${day} has no report`);
  const { trends } = await service.listRuns(tenantId, addDays(day, -(HISTORY_DAYS - 1)), day, 1000, '');
  const windowStartDay = addDays(day, -(BEST_TIME_WINDOW_DAYS - 1));
  const window = await service.postsObserved(tenantId, windowStartDay, day);
  const dayPosts = await service.postsObserved(tenantId, day, day);
  const timeZone = options.timeZone ?? dominantTimeZone(window.posts);
  const platforms = new Set([...window.posts.map((p) => p.platform), ...report.platforms.map((p) => p.platform)]);
  const figures = (d: string) => trends.points.find((p) => p.day === d);
  const today = figures(day);
  const previous = figures(addDays(day, -1));
  return {
    tenantId,
    day,
    generatedAt: now.toISOString(),
    run: {
      status: run.status,
      startedAt: new Date(run.startedAt).toISOString(),
      finishedAt: run.finishedAt ? new Date(run.finishedAt).toISOString() : null,
      steps: run.steps,
      modelVersions: run.modelVersions ?? {},
    },
    report,
    history: trends,
    bestTime: { windowStartDay, windowEndDay: day, grids: bestTimeGrids(window.posts, timeZone) },
    virality: await viralityScores(services, log, tenantId, dayPosts.posts, report, window.posts),
    experiments: await experimentCharts(services, tenantId, report, day),
    timeZone: { chosen: timeZone, options: [...new Set([timeZone, ...window.posts.map((p) => p.timeZone).filter(Boolean), ...COMMON_TIME_ZONES])].sort() },
    platformNames: Object.fromEntries([...platforms].map((p) => [p, brandName(p)])),
    sinceYesterday: today && previous ? { previousDay: previous.day, today, previous } : null,
  };
}
