// Feature design of the learned virality model: sparse raw columns, their factor groups and explanation features.
import type { FactorName, ViralityFeatures } from './virality.js';

/** Duration bands one-hot encoded (upper bounds in seconds; the last band is open). */
const DURATION_BANDS_S = [15, 30, 60];
const MONTH_MS = 30 * 86_400_000;
/** A trend is extrapolated at most this many months past the last training publication. */
const TREND_EXTRAPOLATION_MONTHS = 3;
/** Centre of the log-duration square: a 30 s video. */
const LOG_DURATION_CENTRE = Math.log(30);

/** The layout of the design matrix. */
export interface FeatureLayout {
  /** Platforms seen in training, one block of columns each; an unseen platform sets none. */
  platforms: string[];
  /** Whether the early-retention column is used (present in at least half the training rows). */
  useFirst3sLoss: boolean;
  /** Mean early-retention signal of the training rows: what a missing one is taken to be. */
  first3sLossMean: number;
  /** Instants (ms) of the first and last training publications: the trend's origin and end. */
  trendFromMs: number;
  trendToMs: number;
}

/** The dense columns, in order (first_3s_loss only when the layout uses it). */
const DENSE = [
  'log_duration_s',
  'log_duration_s_squared',
  'cta_in_first_5s',
  'log1p_caption_length',
  'log1p_hashtag_count',
  'quality_score',
  'aesthetic_score',
  'trend_months',
] as const;

/** Column positions of a layout: dense columns, duration bands, then per-platform and time blocks. */
export interface ColumnIndex {
  size: number;
  dense: number;
  band: number;
  platform: number;
  platformLogDuration: number;
  platformTrend: number;
  hour: number;
  weekday: number;
  platformHour: number;
  platformWeekday: number;
  /** Non-zero entries a row can have at most. */
  maxEntries: number;
}

export function columnIndex(layout: FeatureLayout): ColumnIndex {
  const P = layout.platforms.length;
  const dense = DENSE.length + (layout.useFirst3sLoss ? 1 : 0);
  const band = dense;
  const platform = band + DURATION_BANDS_S.length + 1;
  const platformLogDuration = platform + P;
  const platformTrend = platformLogDuration + P;
  const hour = platformTrend + P;
  const weekday = hour + 24;
  const platformHour = weekday + 7;
  const platformWeekday = platformHour + 24 * P;
  return {
    size: platformWeekday + 7 * P,
    dense,
    band,
    platform,
    platformLogDuration,
    platformTrend,
    hour,
    weekday,
    platformHour,
    platformWeekday,
    maxEntries: dense + 8,
  };
}

const two = (n: number) => String(n).padStart(2, '0');

/** Column names of a layout, in design-matrix order. */
export function columnNames(layout: FeatureLayout): string[] {
  const platforms = layout.platforms;
  return [
    ...DENSE,
    ...(layout.useFirst3sLoss ? ['first_3s_loss'] : []),
    'duration_lt_15',
    'duration_15_30',
    'duration_30_60',
    'duration_60_plus',
    ...platforms.map((p) => `platform_${p}`),
    ...platforms.map((p) => `platform_${p}_log_duration_s`),
    ...platforms.map((p) => `platform_${p}_trend_months`),
    ...Array.from({ length: 24 }, (_, h) => `hour_${two(h)}`),
    ...[1, 2, 3, 4, 5, 6, 7].map((d) => `weekday_${d}`),
    ...platforms.flatMap((p) => Array.from({ length: 24 }, (_, h) => `platform_${p}_hour_${two(h)}`)),
    ...platforms.flatMap((p) => [1, 2, 3, 4, 5, 6, 7].map((d) => `platform_${p}_weekday_${d}`)),
  ];
}

/** The features an explanation is given in; each column belongs to exactly one. */
export type ExplainedFeature =
  | 'hour'
  | 'weekday'
  | 'platform'
  | 'duration'
  | 'trend'
  | 'quality_score'
  | 'aesthetic_score'
  | 'cta_in_first_5s'
  | 'caption_length'
  | 'hashtag_count'
  | 'first_3s_loss';

export const EXPLAINED_FEATURES: readonly ExplainedFeature[] = [
  'hour',
  'weekday',
  'platform',
  'duration',
  'trend',
  'quality_score',
  'aesthetic_score',
  'cta_in_first_5s',
  'caption_length',
  'hashtag_count',
  'first_3s_loss',
];

/** The explanation feature a column belongs to. */
export function explainedFeature(name: string): ExplainedFeature {
  if (/_hour_\d\d$/.test(name) || name.startsWith('hour_')) return 'hour';
  if (/_weekday_\d$/.test(name) || name.startsWith('weekday_')) return 'weekday';
  if (name.includes('trend_months')) return 'trend';
  if (name.includes('duration')) return 'duration';
  if (name.startsWith('platform_')) return 'platform';
  if (name === 'log1p_caption_length') return 'caption_length';
  if (name === 'log1p_hashtag_count') return 'hashtag_count';
  return name as ExplainedFeature;
}

/** The factor (of the four the proto reports) each explanation feature contributes to. */
export function featureGroup(feature: ExplainedFeature): FactorName {
  if (feature === 'duration' || feature === 'first_3s_loss') return 'retention';
  if (feature === 'quality_score' || feature === 'aesthetic_score') return 'quality';
  if (feature === 'hour' || feature === 'weekday' || feature === 'trend') return 'timing';
  return 'engagement'; // call to action, caption, hashtags, platform
}

/** The factor a column contributes to. */
export const columnGroup = (name: string): FactorName => featureGroup(explainedFeature(name));

/** Months since the first training publication, capped a little past the last (no far extrapolation). */
export function trendMonths(layout: FeatureLayout, publishedAt: Date | undefined): number {
  const at = publishedAt?.getTime() ?? layout.trendToMs;
  const capMs = layout.trendToMs + TREND_EXTRAPOLATION_MONTHS * MONTH_MS;
  return (Math.min(Math.max(at, layout.trendFromMs), capMs) - layout.trendFromMs) / MONTH_MS;
}

/**
 * Writes the non-zero raw features of one item into `indices`/`values` (ascending columns; length ≥ maxEntries)
 * and returns how many. A missing early-retention signal is written as the training mean (no contribution).
 */
export function encodeFeatures(
  features: ViralityFeatures,
  layout: FeatureLayout,
  at: ColumnIndex,
  platformIndex: ReadonlyMap<string, number>,
  indices: Int32Array,
  values: Float64Array,
): number {
  let c = 0;
  const put = (column: number, value: number) => {
    indices[c] = column;
    values[c++] = value;
  };
  const duration = Math.max(features.durationS, 0.1);
  const logDuration = Math.log(duration);
  const months = trendMonths(layout, features.publishedAt);
  put(0, logDuration);
  put(1, (logDuration - LOG_DURATION_CENTRE) ** 2);
  put(2, features.ctaInFirst5s ? 1 : 0);
  put(3, Math.log1p(Math.max(0, features.captionLengthChars)));
  put(4, Math.log1p(Math.max(0, features.hashtagCount)));
  put(5, features.qualityScore);
  put(6, features.aestheticScore);
  put(7, months);
  if (layout.useFirst3sLoss) put(8, features.first3sLoss ?? layout.first3sLossMean);
  let band = DURATION_BANDS_S.findIndex((upper) => duration < upper);
  if (band < 0) band = DURATION_BANDS_S.length;
  put(at.band + band, 1);
  const platform = platformIndex.get(features.platform);
  const hour = Math.min(23, Math.max(0, Math.floor(features.publishHour)));
  const weekday = Math.min(7, Math.max(1, Math.floor(features.publishWeekday))) - 1;
  if (platform !== undefined) {
    put(at.platform + platform, 1);
    put(at.platformLogDuration + platform, logDuration - LOG_DURATION_CENTRE);
    put(at.platformTrend + platform, months);
  }
  put(at.hour + hour, 1);
  put(at.weekday + weekday, 1);
  if (platform !== undefined) {
    put(at.platformHour + platform * 24 + hour, 1);
    put(at.platformWeekday + platform * 7 + weekday, 1);
  }
  return c;
}
