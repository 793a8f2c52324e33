// Builds the day's learning report from the day's posts and snapshots. Pure: plain data in, plain data out.
import { clusterRetentionCurves, type RetentionClusterResult } from '../retention/clustering.js';
import { discoverInsights, type Insight, type InsightRow } from '../insights/insights.js';
import type { DayPostRow, ExperimentDayUpdate, SnapshotRow, TopPerformer } from './learning.types.js';
import { bestPerformers, comparePlatforms, type PlatformComparison } from '../insights/platform-comparison.js';
import type { Recommendation } from '../advice/advice.types.js';
import { analyseRetention, type DropOffPoint, type KeyMoment } from '../retention/retention.js';
import { mean } from '../math/stats.js';
import { brandName } from '../../domain/platform.js';
import { plural } from '../../domain/plural.js';

/** The retention analysis of one post (mirrors the proto's RetentionAnalysis). */
export interface PostRetention {
  postId: string;
  contentId: string;
  platform: string;
  durationS: number;
  views: number;
  completionRate: number;
  first3sLoss: number;
  dropOffPoints: DropOffPoint[];
  keyMoments: KeyMoment[];
  observedAt: string;
}

/** The figures of a day that trends across runs are made of. */
export interface TrendFigures {
  postsAnalysed: number;
  completionRate: number;
  first3sLoss: number;
  engagementRate: number;
}

export interface DayReport {
  day: string;
  empty: boolean;
  summary: string;
  postsAnalysed: number;
  snapshots: Omit<SnapshotRow, 'builtAt'>[];
  platforms: PlatformComparison[];
  clusters: Omit<RetentionClusterResult, 'memberPostIds'>[];
  worstDropOffs: PostRetention[];
  bestPerformers: TopPerformer[];
  insights: Insight[];
  recommendations: Recommendation[];
  trend: TrendFigures;
  /** The running experiments the run looked at (absent in reports stored before experiments existed). */
  experiments?: ExperimentDayUpdate[];
}

/** (likes + comments + shares + saves) / views. */
export const engagementRateOf = (p: Pick<DayPostRow, 'views' | 'likes' | 'comments' | 'shares' | 'saves'>): number =>
  p.views > 0 ? (p.likes + p.comments + p.shares + p.saves) / p.views : 0;

const hasCurve = (p: DayPostRow) => Array.isArray(p.retentionCurve) && p.retentionCurve.length > 1;

/** Analyses a post's latest curve; without a curve, the first-3-s loss is the platform's reported skip rate. */
export function postRetention(p: DayPostRow): PostRetention {
  const analysis = hasCurve(p) ? analyseRetention({ curve: p.retentionCurve!, durationS: p.durationS, rewatchRate: p.rewatchRate }) : undefined;
  return {
    postId: p.postId,
    contentId: p.contentId,
    platform: p.platform,
    durationS: p.durationS,
    views: p.views,
    completionRate: p.completionRate,
    first3sLoss: analysis ? analysis.first3sLoss : p.skipRateFirst3s,
    dropOffPoints: analysis?.dropOffPoints ?? [],
    keyMoments: analysis?.keyMoments ?? [],
    observedAt: new Date(p.observedAt).toISOString(),
  };
}

const hourFormats = new Map<string, Intl.DateTimeFormat>();
/** Hour of day (0..23) of an instant in an IANA time zone (UTC when the zone is unknown). */
export function localHour(instant: Date, timeZone: string): number {
  let format = hourFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' });
    } catch {
      format = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hour: 'numeric', hourCycle: 'h23' });
    }
    hourFormats.set(timeZone, format);
  }
  return Number(format.format(instant)) % 24;
}

/** Step 2: per-post retention, clusters, platform comparison and best performers. */
export function analyseDay(posts: DayPostRow[]) {
  const retention = new Map(posts.map((p) => [p.postId, postRetention(p)]));
  const first3sLoss = (p: DayPostRow) => retention.get(p.postId)!.first3sLoss;
  const clustering = clusterRetentionCurves(
    posts
      .filter(hasCurve)
      .map((p) => ({ postId: p.postId, curve: p.retentionCurve!, views: p.views, completionRate: p.completionRate, first3sLoss: first3sLoss(p) })),
  );
  const platforms = comparePlatforms(
    posts.map((p) => ({
      platform: p.platform,
      views: p.views,
      completionRate: p.completionRate,
      first3sLoss: first3sLoss(p),
      engagementRate: engagementRateOf(p),
    })),
  );
  const worstDropOffs = [...retention.values()].sort((a, b) => b.first3sLoss - a.first3sLoss || (a.postId < b.postId ? -1 : 1)).slice(0, 10);
  const best = bestPerformers(posts, 10).map((p) => ({
    postId: p.postId,
    contentId: p.contentId,
    platform: p.platform,
    views: p.views,
    engagementRate: engagementRateOf(p),
    completionRate: p.completionRate,
  }));
  return { retention, clusters: clustering.clusters, platforms, worstDropOffs, bestPerformers: best };
}

/** The rows pattern discovery compares: features and outcomes of each post. */
export function insightRows(posts: DayPostRow[], retention: Map<string, PostRetention>): InsightRow[] {
  return posts.map((p) => ({
    postId: p.postId,
    platform: p.platform,
    publishHour: localHour(new Date(p.publishedAt), p.timeZone),
    durationS: p.durationS,
    ctaInFirst5s: p.ctaInFirst5s,
    captionLengthChars: p.captionLengthChars,
    qualityScore: p.qualityScore,
    aestheticScore: p.aestheticScore,
    hashtagCount: p.hashtagCount,
    outcomes: {
      completionRate: p.completionRate,
      logViews: Math.log1p(p.views),
      first3sLoss: retention.get(p.postId)!.first3sLoss,
      engagementRate: engagementRateOf(p),
    },
  }));
}

/** Trend figures of a day: view-weighted completion and engagement, mean early loss. */
export function trendOf(posts: DayPostRow[], retention: Map<string, PostRetention>): TrendFigures {
  const views = posts.reduce((s, p) => s + p.views, 0);
  return {
    postsAnalysed: posts.length,
    completionRate: views > 0 ? posts.reduce((s, p) => s + p.completionRate * p.views, 0) / views : 0,
    first3sLoss: mean([...retention.values()].map((r) => r.first3sLoss)),
    engagementRate: views > 0 ? posts.reduce((s, p) => s + p.likes + p.comments + p.shares + p.saves, 0) / views : 0,
  };
}

/** Assembles the report. Deterministic: the same inputs give the same report. */
export function assembleReport(
  day: string,
  posts: DayPostRow[],
  snapshots: SnapshotRow[],
  analysis: ReturnType<typeof analyseDay>,
  insights: Insight[],
  recommendations: Recommendation[],
): DayReport {
  const trend = trendOf(posts, analysis.retention);
  if (posts.length === 0) {
    return {
      day,
      empty: true,
      summary: `No metrics were observed on ${day}: nothing to learn from this day.`,
      postsAnalysed: 0,
      snapshots: [],
      platforms: [],
      clusters: [],
      worstDropOffs: [],
      bestPerformers: [],
      insights: [],
      recommendations: [],
      trend,
    };
  }
  const top = [...analysis.platforms].sort((a, b) => b.meanViews - a.meanViews)[0];
  const summary = [
    `${plural(posts.length, 'post')} on ${plural(analysis.platforms.length, 'platform')} ${posts.length === 1 ? 'was' : 'were'} observed on ${day}.`,
    `View-weighted completion was ${(trend.completionRate * 100).toFixed(1)} % and ${(trend.first3sLoss * 100).toFixed(1)} % of viewers left in the first 3 s on average.`,
    `${brandName(top.platform)} had the most views per post (${Math.round(top.meanViews)}).`,
    `${plural(insights.length, 'finding')} and ${plural(recommendations.length, 'recommendation')}.`,
  ].join(' ');
  return {
    day,
    empty: false,
    summary,
    postsAnalysed: posts.length,
    snapshots: snapshots.map(({ builtAt: _builtAt, ...rest }) => rest),
    platforms: analysis.platforms,
    clusters: analysis.clusters.map(({ memberPostIds: _members, ...rest }) => rest),
    worstDropOffs: analysis.worstDropOffs,
    bestPerformers: analysis.bestPerformers,
    insights,
    recommendations,
    trend,
  };
}

export { discoverInsights };
