// The levers a team can pull on a post (duration, call to action, caption, hashtags, quality, aesthetics, the hook,
// posting hour and weekday, platform), the tenant's typical value of each and the values worth comparing it with.
import { median, quantile } from '../math/stats.js';
import type { ViralityFeatures } from '../virality/virality.js';
import type { OutcomeExample } from './outcome-models.js';

/** The levers advice is given on. */
export type LeverName =
  | 'duration'
  | 'cta_in_first_5s'
  | 'caption_length'
  | 'hashtag_count'
  | 'quality_score'
  | 'aesthetic_score'
  | 'hook'
  | 'posting_hour'
  | 'posting_weekday'
  | 'platform';

/** Levers of the content itself (the rest are when and where it is posted). */
export const CONTENT_LEVERS: readonly LeverName[] = [
  'duration',
  'cta_in_first_5s',
  'caption_length',
  'hashtag_count',
  'quality_score',
  'aesthetic_score',
  'hook',
];

/** One value of a lever: the items it stands for are the typical items with the lever set (a band: one item per hour). */
export interface LeverValue {
  /** Machine-readable value, e.g. "25", "true", "19-22", "5", "tiktok". */
  key: string;
  /** The value in words, e.g. "about 25 s", "a call to action", "19:00–22:00", "Friday", "TikTok". */
  label: string;
  items: ViralityFeatures[];
}

/** Where a lever is looked at: one platform, or all platforms at once (levers whose effect the model shares). */
export interface Scope {
  /** Undefined: all platforms. */
  platform?: string;
  /** The typical item of each platform in scope (all other levers held at these). */
  bases: ViralityFeatures[];
  /** The scope's most recent posts: the typical value of a lever. */
  recent: OutcomeExample[];
  /** All the scope's posts of the window: the range of values compared. */
  window: OutcomeExample[];
}

export interface LeverSpec {
  lever: LeverName;
  /** 'platform': one advice per platform (the model has per-platform columns for it); 'all': one for all platforms. */
  scope: 'platform' | 'all';
  current(scope: Scope): LeverValue;
  candidates(scope: Scope): LeverValue[];
}

/** The typical value of a lever is taken over this many of the latest posts of its scope. */
export const RECENT_POSTS = 100;
const DURATION_GRID_S = [5, 7, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 60, 75, 90, 120, 150, 180, 240, 300, 420, 600];
const QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const BAND_HOURS = 3;
/** Dates of a weekday needed in the window before it is compared with another. */
const MIN_WEEKDAY_DATES = 4;

/** The most common value (the smallest of equals, for determinism). */
export function mostCommon<T extends string | number | boolean>(values: readonly T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))[0][0];
}

/** The typical item of a set of posts: medians of the numbers, the most common call to action, hour and weekday. */
export function typicalItem(posts: readonly OutcomeExample[], platform: string, publishedAt: Date): ViralityFeatures {
  const losses = posts.flatMap((p) => (p.first3sLoss !== undefined ? [p.first3sLoss] : []));
  return {
    platform,
    publishedAt,
    durationS: median(posts.map((p) => p.durationS)),
    qualityScore: median(posts.map((p) => p.qualityScore)),
    aestheticScore: median(posts.map((p) => p.aestheticScore)),
    captionLengthChars: median(posts.map((p) => p.captionLengthChars)),
    hashtagCount: Math.round(median(posts.map((p) => p.hashtagCount))),
    ctaInFirst5s: mostCommon(posts.map((p) => p.ctaInFirst5s)),
    publishHour: mostCommon(posts.map((p) => p.publishHour)),
    publishWeekday: mostCommon(posts.map((p) => p.publishWeekday)),
    ...(losses.length ? { first3sLoss: median(losses) } : {}),
  };
}

const setAll = (scope: Scope, change: Partial<ViralityFeatures>) => scope.bases.map((b) => ({ ...b, ...change }));

/** A numeric lever: its typical value is the recent median, compared with quantiles of the window (or a fixed grid). */
function numericLever(
  lever: LeverName,
  field: 'durationS' | 'captionLengthChars' | 'hashtagCount' | 'qualityScore' | 'aestheticScore' | 'first3sLoss',
  round: (v: number) => number,
  label: (v: number) => string,
  grid?: readonly number[],
  scope: 'platform' | 'all' = 'all',
): LeverSpec {
  const valuesOf = (posts: readonly OutcomeExample[]) =>
    posts.flatMap((p) => (p[field] !== undefined && Number.isFinite(p[field]) ? [p[field] as number] : []));
  const value = (scope: Scope, v: number): LeverValue => ({ key: String(v), label: label(v), items: setAll(scope, { [field]: v }) });
  return {
    lever,
    scope,
    current: (s) => value(s, round(median(valuesOf(s.recent)))),
    candidates: (s) => {
      const all = valuesOf(s.window);
      const low = quantile(all, 0.05);
      const high = quantile(all, 0.95);
      const points = grid ? grid.filter((v) => v >= low && v <= high) : QUANTILES.map((q) => round(quantile(all, q)));
      return [...new Set(points)].map((v) => value(s, v));
    },
  };
}

const percent = (v: number) => `${Math.round(v * 100)} %`;
const two = (h: number) => String(h % 24).padStart(2, '0');
/** "19:00–22:00" for the band of hours starting at 19. */
export const bandLabel = (start: number) => `${two(start)}:00–${two(start + BAND_HOURS)}:00`;

const hourBand = (scope: Scope, start: number): LeverValue => ({
  key: `${start}-${(start + BAND_HOURS) % 24}`,
  label: bandLabel(start),
  items: Array.from({ length: BAND_HOURS }, (_, k) => setAll(scope, { publishHour: (start + k) % 24 })).flat(),
});

const weekday = (scope: Scope, day: number): LeverValue => ({ key: String(day), label: WEEKDAYS[day - 1], items: setAll(scope, { publishWeekday: day }) });

/** The band of hours with the most recent posts (the earliest of equals). */
function commonBand(posts: readonly OutcomeExample[]): { start: number; share: number } {
  const counts = Array.from({ length: 24 }, (_, start) => posts.filter((p) => (p.publishHour - start + 24) % 24 < BAND_HOURS).length);
  const most = counts.reduce((m, c) => Math.max(m, c), 0);
  return { start: counts.indexOf(most), share: most / Math.max(1, posts.length) };
}

/** Share of the recent posts in one band from which the band is "the usual hours" rather than a mix. */
const HABIT_SHARE = 0.5;

/**
 * The hours the scope usually posts at: its band when at least half the recent posts are in one; else the mix of
 * the recent posts' hours (each an item), so a tenant posting at all hours is compared with what it does.
 */
function usualHours(scope: Scope): LeverValue {
  const band = commonBand(scope.recent);
  if (band.share >= HABIT_SHARE) return hourBand(scope, band.start);
  return { key: 'mix', label: 'your usual mix of hours', items: scope.recent.flatMap((p) => setAll(scope, { publishHour: p.publishHour })) };
}

/** Distinct dates of each ISO weekday (index 1..7) among the posts. */
function datesPerWeekday(posts: readonly OutcomeExample[]): number[] {
  const dates = Array.from({ length: 8 }, () => new Set<number>());
  for (const p of posts) dates[p.publishWeekday].add(Math.floor(p.publishedAt.getTime() / 86_400_000));
  return dates.map((d) => d.size);
}

/**
 * The weekdays the scope usually posts on: its weekday when at least half the recent posts are on one, else the mix
 * of the recent posts' weekdays. NOTE: posts of one date share that date's luck (news, a trend, a batch of unusual
 * posts), so a weekday is known from its dates, not its posts: one Monday of 80 posts says little about Mondays.
 * Undefined (not compared) when the usual weekday, or half the mix, has fewer than MIN_WEEKDAY_DATES dates.
 */
function usualWeekdays(scope: Scope): LeverValue | undefined {
  const dates = datesPerWeekday(scope.window);
  const usual = mostCommon(scope.recent.map((p) => p.publishWeekday));
  const share = scope.recent.filter((p) => p.publishWeekday === usual).length / scope.recent.length;
  if (share >= HABIT_SHARE) return dates[usual] >= MIN_WEEKDAY_DATES ? weekday(scope, usual) : undefined;
  const known = scope.recent.filter((p) => dates[p.publishWeekday] >= MIN_WEEKDAY_DATES);
  if (known.length * 2 < scope.recent.length) return undefined;
  return { key: 'mix', label: 'your usual mix of days', items: known.flatMap((p) => setAll(scope, { publishWeekday: p.publishWeekday })) };
}

/** The levers, in the order advice is listed when lifts are equal. */
export function leverSpecs(options: { hook: boolean; platforms: readonly string[]; platformLabel: (p: string) => string }): LeverSpec[] {
  const roundTo = (step: number) => (v: number) => Math.round(v / step) * step;
  const specs: LeverSpec[] = [
    numericLever(
      'duration',
      'durationS',
      (v) => Math.round(v),
      (v) => `about ${v} s`,
      DURATION_GRID_S,
      'platform',
    ),
    {
      lever: 'cta_in_first_5s',
      scope: 'all',
      current: ctaShare,
      candidates: (s) => [ctaValue(s, true), ctaValue(s, false)],
    },
    numericLever('caption_length', 'captionLengthChars', roundTo(10), (v) => `about ${v} characters`),
    numericLever('hashtag_count', 'hashtagCount', Math.round, (v) => `${v} hashtag${v === 1 ? '' : 's'}`),
    numericLever('quality_score', 'qualityScore', roundTo(0.05), (v) => `about ${v.toFixed(2)}`),
    numericLever('aesthetic_score', 'aestheticScore', roundTo(0.05), (v) => `about ${v.toFixed(2)}`),
    ...(options.hook ? [numericLever('hook', 'first3sLoss', roundTo(0.05), (v) => `${percent(v)} of viewers lost in the first 3 s`)] : []),
    {
      lever: 'posting_hour',
      scope: 'platform',
      current: usualHours,
      candidates: (s) => Array.from({ length: 24 }, (_, start) => hourBand(s, start)),
    },
    {
      lever: 'posting_weekday',
      scope: 'platform',
      current: (s) => usualWeekdays(s) ?? weekday(s, mostCommon(s.recent.map((p) => p.publishWeekday))),
      candidates: (s) => {
        if (!usualWeekdays(s)) return [];
        const dates = datesPerWeekday(s.window);
        return [1, 2, 3, 4, 5, 6, 7].filter((d) => dates[d] >= MIN_WEEKDAY_DATES).map((d) => weekday(s, d));
      },
    },
  ];
  if (options.platforms.length > 1) {
    const onPlatform = (s: Scope, platform: string): LeverValue => {
      const from = mostCommon(s.recent.map((p) => p.platform));
      const base = s.bases.find((b) => b.platform === from) ?? s.bases[0];
      return { key: platform, label: options.platformLabel(platform), items: [{ ...base, platform }] };
    };
    specs.push({
      lever: 'platform',
      scope: 'all',
      current: (s) => onPlatform(s, mostCommon(s.recent.map((p) => p.platform))),
      candidates: (s) => options.platforms.map((p) => onPlatform(s, p)),
    });
  }
  return specs;
}

/**
 * What the scope does now: the share of its recent posts with a call to action (each recent post an item), so a
 * tenant with one in half its posts is told what one in every post would bring, not compared with a coin flip.
 */
function ctaShare(scope: Scope): LeverValue {
  const share = scope.recent.filter((p) => p.ctaInFirst5s).length / Math.max(1, scope.recent.length);
  if (share === 0 || share === 1) return ctaValue(scope, share === 1);
  return {
    key: share.toFixed(2),
    label: `a call to action in ${Math.round(share * 100)} % of posts`,
    items: scope.recent.flatMap((p) => setAll(scope, { ctaInFirst5s: p.ctaInFirst5s })),
  };
}

function ctaValue(scope: Scope, cta: boolean): LeverValue {
  return {
    key: String(cta),
    label: cta ? 'a call to action in every post' : 'a call to action in no post',
    items: setAll(scope, { ctaInFirst5s: cta }),
  };
}
