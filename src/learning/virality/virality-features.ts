// Feature encoding of the learned virality model: raw columns, their factor groups and standardisation.
import type { FactorName, ViralityFeatures } from './virality.js';

/** Duration bands one-hot encoded (upper bounds in seconds; the last band is open). */
const DURATION_BANDS_S = [15, 30, 60];

/** The layout of the design matrix: column names and the factor each column belongs to. */
export interface FeatureLayout {
  /** Platforms seen in training, one column each; an unseen platform sets none. */
  platforms: string[];
  /** Whether the early-retention column is used (present in at least half the training rows). */
  useFirst3sLoss: boolean;
}

/** Column names of a layout, in design-matrix order. */
export function columnNames(layout: FeatureLayout): string[] {
  return [
    'duration_lt_15',
    'duration_15_30',
    'duration_30_60',
    'duration_60_plus',
    'log_duration_s',
    'cta_in_first_5s',
    'log1p_caption_length',
    'log1p_hashtag_count',
    'quality_score',
    'aesthetic_score',
    ...layout.platforms.map((p) => `platform_${p}`),
    'hour_sin_1',
    'hour_cos_1',
    'hour_sin_2',
    'hour_cos_2',
    ...[1, 2, 3, 4, 5, 6, 7].map((d) => `weekday_${d}`),
    ...(layout.useFirst3sLoss ? ['first_3s_loss'] : []),
  ];
}

/** The factor (of the four the proto reports) each column contributes to. */
export function columnGroup(name: string): FactorName {
  if (name.startsWith('duration_') || name === 'log_duration_s' || name === 'first_3s_loss') return 'retention';
  if (name === 'quality_score' || name === 'aesthetic_score') return 'quality';
  if (name.startsWith('hour_') || name.startsWith('weekday_')) return 'timing';
  return 'engagement'; // call to action, caption, hashtags, platform
}

/**
 * Writes the raw (unstandardised) features of one item into `out` (length = columnNames(layout).length).
 * A missing early-retention signal is written as NaN; standardisation turns it into the training mean.
 */
export function encodeFeatures(features: ViralityFeatures, layout: FeatureLayout, platformIndex: ReadonlyMap<string, number>, out: Float64Array): void {
  let c = 0;
  const duration = Math.max(features.durationS, 0.1);
  let band = DURATION_BANDS_S.findIndex((upper) => duration < upper);
  if (band < 0) band = DURATION_BANDS_S.length;
  for (let b = 0; b <= DURATION_BANDS_S.length; b++) out[c++] = b === band ? 1 : 0;
  out[c++] = Math.log(duration);
  out[c++] = features.ctaInFirst5s ? 1 : 0;
  out[c++] = Math.log1p(Math.max(0, features.captionLengthChars));
  out[c++] = Math.log1p(Math.max(0, features.hashtagCount));
  out[c++] = features.qualityScore;
  out[c++] = features.aestheticScore;
  const platform = platformIndex.get(features.platform);
  for (let p = 0; p < layout.platforms.length; p++) out[c++] = p === platform ? 1 : 0;
  const angle = (2 * Math.PI * features.publishHour) / 24;
  out[c++] = Math.sin(angle);
  out[c++] = Math.cos(angle);
  out[c++] = Math.sin(2 * angle);
  out[c++] = Math.cos(2 * angle);
  for (let d = 1; d <= 7; d++) out[c++] = d === features.publishWeekday ? 1 : 0;
  if (layout.useFirst3sLoss) out[c++] = features.first3sLoss ?? NaN;
}

/** Per-column mean and scale of the training rows (NaN entries ignored; a constant column gets scale 1). */
export function standardisation(rows: readonly Float64Array[], columns: number): { means: number[]; scales: number[] } {
  const means: number[] = [];
  const scales: number[] = [];
  for (let j = 0; j < columns; j++) {
    let n = 0;
    let sum = 0;
    for (const row of rows) {
      if (Number.isNaN(row[j])) continue;
      n++;
      sum += row[j];
    }
    const m = n ? sum / n : 0;
    let squares = 0;
    for (const row of rows) if (!Number.isNaN(row[j])) squares += (row[j] - m) ** 2;
    const sd = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
    means.push(m);
    scales.push(sd > 1e-12 ? sd : 1);
  }
  return { means, scales };
}

/** Standardises a raw row in place; NaN (missing) becomes 0, the training mean. */
export function standardise(row: Float64Array, means: readonly number[], scales: readonly number[]): Float64Array {
  for (let j = 0; j < row.length; j++) row[j] = Number.isNaN(row[j]) ? 0 : (row[j] - means[j]) / scales[j];
  return row;
}
