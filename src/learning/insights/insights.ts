// Pattern discovery: each bucket of each content feature against the rest, with effect size and Welch confidence.
import type { ContentFeatureValues } from '../virality/content-features.js';
import { benjaminiHochberg, cohensD, summarize, welchTTest } from '../math/stats.js';

/** Outcomes measured per post. */
export interface InsightOutcomes {
  completionRate: number;
  /** ln(1 + views). */
  logViews: number;
  first3sLoss: number;
  engagementRate: number;
}

/** One post with the features that may explain its outcomes. */
export interface InsightRow extends ContentFeatureValues {
  postId: string;
  /** Platform name as stored ("tiktok", "instagram", …). */
  platform: string;
  /** Hour of publication in the audience's time zone, 0..23. */
  publishHour: number;
  outcomes: InsightOutcomes;
}

/** Outcome names as they appear in the proto's Insight.outcome. */
export type OutcomeName = 'completion_rate' | 'log_views' | 'first_3s_loss' | 'engagement_rate';

/** Feature names as they appear in the proto's Insight.feature. */
export type FeatureName =
  | 'duration_s'
  | 'cta_in_first_5s'
  | 'caption_length_chars'
  | 'quality_score'
  | 'aesthetic_score'
  | 'hashtag_count'
  | 'platform'
  | 'publish_hour';

/** A finding (mirrors the proto's Insight, plus the p-value and the multiple-testing verdict). */
export interface Insight {
  feature: FeatureName;
  bucket: string;
  outcome: OutcomeName;
  bucketMean: number;
  restMean: number;
  /**
   * Relative difference of the bucket against the rest: (bucket − rest) / rest. For log_views it is the ratio of
   * geometric-mean views, exp(bucket − rest) − 1, so that 0.5 still means "50 % more views".
   */
  liftFraction: number;
  /** Cohen's d. */
  effectSize: number;
  sampleSize: number;
  restSampleSize: number;
  /** 1 − p of Welch's t-test (unadjusted, as the proto defines it). */
  confidence: number;
  pValue: number;
  /** Discovery under Benjamini–Hochberg over every comparison made, and at least the minimum effect size. */
  significant: boolean;
  /** Fewer bucket posts than the reporting minimum: a hint, not a fact. */
  smallSample: boolean;
  text: string;
}

/** Tuning of the discovery; defaults are what the service uses. */
export interface InsightOptions {
  /** Posts a bucket needs for a finding to stand as a fact; below, it is flagged smallSample. Default 30. */
  minSampleSize?: number;
  /** False discovery rate of the Benjamini–Hochberg procedure over all comparisons. Default 0.05. */
  falseDiscoveryRate?: number;
  /** Smallest |Cohen's d| worth reporting, so huge samples do not surface trivial differences. Default 0.1. */
  minEffectSize?: number;
}

interface OutcomeSpec {
  name: OutcomeName;
  read: (o: InsightOutcomes) => number;
  higherIsBetter: boolean;
  label: string;
  format: (value: number) => string;
}

const percent = (value: number) => `${(value * 100).toFixed(value < 0.1 ? 1 : 0)} %`;

/** The outcomes compared, with direction and wording. */
export const OUTCOMES: readonly OutcomeSpec[] = [
  { name: 'completion_rate', read: (o) => o.completionRate, higherIsBetter: true, label: 'completion rate', format: percent },
  {
    name: 'log_views',
    read: (o) => o.logViews,
    higherIsBetter: true,
    label: 'views',
    format: (v) => `${Math.round(Math.expm1(v)).toLocaleString('en-US')} views (geometric mean)`,
  },
  { name: 'first_3s_loss', read: (o) => o.first3sLoss, higherIsBetter: false, label: 'share lost in the first 3 s', format: percent },
  { name: 'engagement_rate', read: (o) => o.engagementRate, higherIsBetter: true, label: 'engagement rate', format: percent },
];

/** The outcome spec of a name. */
export function outcomeSpec(name: OutcomeName): OutcomeSpec {
  return OUTCOMES.find((o) => o.name === name)!;
}

/** Bucket of a value in ascending bands: "<a", "a-b", …, "z+". */
function band(value: number, edges: readonly number[]): string {
  if (value < edges[0]) return `<${edges[0]}`;
  for (let i = 1; i < edges.length; i++) if (value < edges[i]) return `${edges[i - 1]}-${edges[i]}`;
  return `${edges[edges.length - 1]}+`;
}

/** "<15" → "under 15 s", "60+" → "60 s or more", "15-30" → "15-30 s". */
export function bandText(bucket: string, unit: string): string {
  const suffix = unit ? ` ${unit}` : '';
  if (bucket.startsWith('<')) return `under ${bucket.slice(1)}${suffix}`;
  if (bucket.endsWith('+')) return `${bucket.slice(0, -1)}${suffix} or more`;
  return `${bucket}${suffix}`;
}

interface FeatureSpec {
  name: FeatureName;
  bucketOf: (row: InsightRow) => string;
  /** The posts of a bucket, as the subject of a sentence. */
  subject: (bucket: string) => string;
}

const hourBand = (hour: number) => {
  const start = Math.floor((((hour % 24) + 24) % 24) / 3) * 3;
  return `${start}-${start + 3}`;
};

/** The features compared and their buckets. */
export const FEATURES: readonly FeatureSpec[] = [
  { name: 'duration_s', bucketOf: (r) => band(r.durationS, [15, 30, 60]), subject: (b) => `Videos ${b.startsWith('<') ? '' : 'of '}${bandText(b, 's')}` },
  {
    name: 'cta_in_first_5s',
    bucketOf: (r) => String(r.ctaInFirst5s),
    subject: (b) => `Posts ${b === 'true' ? 'with' : 'without'} a call to action in the first 5 s`,
  },
  {
    name: 'caption_length_chars',
    bucketOf: (r) => band(r.captionLengthChars, [50, 150, 300]),
    subject: (b) => `Posts with captions of ${bandText(b, 'characters')}`,
  },
  { name: 'quality_score', bucketOf: (r) => band(r.qualityScore, [0.4, 0.7]), subject: (b) => `Posts with a quality score of ${bandText(b, '')}` },
  { name: 'aesthetic_score', bucketOf: (r) => band(r.aestheticScore, [0.4, 0.7]), subject: (b) => `Posts with an aesthetic score of ${bandText(b, '')}` },
  {
    name: 'hashtag_count',
    bucketOf: (r) => (r.hashtagCount <= 0 ? '0' : r.hashtagCount <= 3 ? '1-3' : r.hashtagCount <= 7 ? '4-7' : '8+'),
    subject: (b) => (b === '0' ? 'Posts without hashtags' : `Posts with ${bandText(b, 'hashtags')}`),
  },
  { name: 'platform', bucketOf: (r) => r.platform, subject: (b) => `Posts on ${b}` },
  { name: 'publish_hour', bucketOf: (r) => hourBand(r.publishHour), subject: (b) => `Posts published ${hourRangeText(b)}` },
];

/** "18-21" → "18:00-21:00". */
export function hourRangeText(bucket: string): string {
  const [start, end] = bucket.split('-').map(Number);
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  return `${hh(start)}-${hh(end)}`;
}

/** The feature spec of a name. */
export function featureSpec(name: FeatureName): FeatureSpec {
  return FEATURES.find((f) => f.name === name)!;
}

/** Lift of a bucket mean over a rest mean, as {@link Insight.liftFraction} defines it. */
export function liftFraction(outcome: OutcomeName, bucketMean: number, restMean: number): number {
  if (outcome === 'log_views') return Math.expm1(bucketMean - restMean);
  return restMean === 0 ? 0 : (bucketMean - restMean) / Math.abs(restMean);
}

/** Lift in the good direction of the outcome: positive means better (for a loss, a relative reduction). */
export function improvementFraction(insight: Pick<Insight, 'outcome' | 'liftFraction'>): number {
  return outcomeSpec(insight.outcome).higherIsBetter ? insight.liftFraction : -insight.liftFraction;
}

/** The sentence of a finding. */
export function insightText(insight: Omit<Insight, 'text'>): string {
  const outcome = outcomeSpec(insight.outcome);
  const sign = insight.liftFraction >= 0 ? '+' : '−';
  const sentence =
    `${featureSpec(insight.feature).subject(insight.bucket)} have ${/^[aeiou]/.test(outcome.label) ? 'an' : 'a'} ${outcome.label} of ${outcome.format(insight.bucketMean)} ` +
    `vs ${outcome.format(insight.restMean)} for other posts (${sign}${Math.round(Math.abs(insight.liftFraction) * 100)} %, ` +
    `d = ${insight.effectSize.toFixed(2)}, ${insight.sampleSize} vs ${insight.restSampleSize} posts, ` +
    `${(Math.floor(insight.confidence * 1000) / 10).toFixed(1)} % confidence).`;
  return insight.smallSample ? `${sentence} Small sample: a hint, not a fact.` : sentence;
}

/** Compares one group of outcome values with the rest; the text is filled in later. */
export function compareGroups(
  feature: FeatureName,
  bucket: string,
  outcome: OutcomeName,
  inside: readonly number[],
  outside: readonly number[],
  minSampleSize: number,
): Omit<Insight, 'text' | 'significant'> {
  const a = summarize(inside);
  const b = summarize(outside);
  const test = welchTTest(a, b);
  return {
    feature,
    bucket,
    outcome,
    bucketMean: a.mean,
    restMean: b.mean,
    liftFraction: liftFraction(outcome, a.mean, b.mean),
    effectSize: cohensD(a, b),
    sampleSize: a.n,
    restSampleSize: b.n,
    confidence: 1 - test.pValue,
    pValue: test.pValue,
    smallSample: a.n < minSampleSize,
  };
}

/**
 * Compares every bucket of every feature with the rest of the posts, for every outcome, and keeps the findings the
 * data support: discoveries of the Benjamini–Hochberg procedure over all comparisons at once (so pure noise yields
 * nothing, whatever the number of buckets) with |d| at least the minimum. A feature with two buckets is compared
 * once, from the side that does better. Strongest first: adequate samples before small ones, then by |d|.
 */
export function discoverInsights(rows: readonly InsightRow[], options: InsightOptions = {}): Insight[] {
  const minSampleSize = options.minSampleSize ?? 30;
  const candidates: Array<Omit<Insight, 'text' | 'significant'>> = [];
  for (const feature of FEATURES) {
    const bucketOfRow = rows.map((row) => feature.bucketOf(row));
    const buckets = [...new Set(bucketOfRow)].sort();
    if (buckets.length < 2) continue;
    for (const outcome of OUTCOMES) {
      const values = rows.map((row) => outcome.read(row.outcomes));
      const found = buckets.map((bucket) => {
        const inside = values.filter((_, i) => bucketOfRow[i] === bucket);
        const outside = values.filter((_, i) => bucketOfRow[i] !== bucket);
        return compareGroups(feature.name, bucket, outcome.name, inside, outside, minSampleSize);
      });
      const tested = found.filter((f) => f.sampleSize >= 2 && f.restSampleSize >= 2);
      if (buckets.length === 2) {
        const better = tested.sort((x, y) => improvementFraction(y) - improvementFraction(x))[0];
        if (better) candidates.push(better);
      } else candidates.push(...tested);
    }
  }
  const discoveries = benjaminiHochberg(
    candidates.map((c) => c.pValue),
    options.falseDiscoveryRate ?? 0.05,
  );
  const minEffectSize = options.minEffectSize ?? 0.1;
  return candidates
    .map((c, i) => ({ ...c, significant: discoveries[i] && Math.abs(c.effectSize) >= minEffectSize }))
    .filter((c) => c.significant)
    .map((c) => ({ ...c, text: insightText(c) }))
    .sort(
      (x, y) =>
        Number(x.smallSample) - Number(y.smallSample) ||
        Math.abs(y.effectSize) - Math.abs(x.effectSize) ||
        y.confidence - x.confidence ||
        `${x.feature}/${x.bucket}/${x.outcome}`.localeCompare(`${y.feature}/${y.bucket}/${y.outcome}`),
    );
}
