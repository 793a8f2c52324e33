// How the report page words things for people: platform names as the brands write them, one number format,
// findings as plain sentences (the statistics go in a details toggle), distinct cluster names.
import type { Insight } from '../learning/insights/insights.js';
import { featureSpec } from '../learning/insights/insights.js';

import { brandName } from '../domain/platform.js';
import { plural } from '../domain/plural.js';

export { brandName };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimalFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A count or rounded amount: "12,345". */
export const formatCount = (value: number): string => numberFormat.format(Math.round(value));
/** A fraction as a percentage with one decimal: 0.3124 → "31.2 %". */
export const formatPercent = (fraction: number): string => `${decimalFormat.format(fraction * 100)} %`;
/** A signed change in percent: 0.74 → "+74 %", −0.2 → "−20 %". */
export const formatSignedPercent = (fraction: number): string => `${fraction >= 0 ? '+' : '−'}${numberFormat.format(Math.round(Math.abs(fraction) * 100))} %`;
/** A change in percentage points: 0.014 → "+1.4 points". */
export const formatPoints = (fraction: number): string => `${fraction >= 0 ? '+' : '−'}${decimalFormat.format(Math.abs(fraction) * 100)} points`;

/** A comparison with other posts: ratio 2 → "twice as often as", 0.5 → "half as …", 1.3 → "30 % more … than". */
function ratioPhrase(ratio: number, more: string, less: string, asWord: string): string {
  const rest = 'other posts';
  if (ratio >= 1.9 && ratio < 2.1) return `twice as ${asWord} as ${rest}`;
  if (ratio >= 1.5) return `${decimalFormat.format(ratio)} times as ${asWord} as ${rest}`;
  if (ratio > 0.45 && ratio <= 0.55) return `half as ${asWord} as ${rest}`;
  if (ratio >= 1) return `${numberFormat.format(Math.round((ratio - 1) * 100))} % ${more} than ${rest}`;
  return `${numberFormat.format(Math.round((1 - ratio) * 100))} % ${less} than ${rest}`;
}

/** The outcome of a finding, in words. */
export function outcomeWords(outcome: Insight['outcome']): string {
  return { completion_rate: 'completion', log_views: 'views', first_3s_loss: 'viewers lost in the first 3 s', engagement_rate: 'engagement' }[outcome];
}

/**
 * A finding as one plain sentence, e.g. "Videos of 15–30 s were finished twice as often as other posts (412
 * posts)." Hints from few posts say so.
 */
export function plainInsight(insight: Pick<Insight, 'feature' | 'bucket' | 'outcome' | 'liftFraction' | 'sampleSize' | 'smallSample'>): string {
  const subject = insight.feature === 'platform' ? `Posts on ${brandName(insight.bucket)}` : featureSpec(insight.feature).subject(insight.bucket);
  const ratio = 1 + insight.liftFraction;
  const predicate = {
    completion_rate: `were watched to the end ${ratioPhrase(ratio, 'more often', 'less often', 'often')}`,
    log_views: `got ${ratioPhrase(ratio, 'more views', 'fewer views', 'many views')}`,
    first_3s_loss: `lost ${ratioPhrase(ratio, 'more viewers in the first 3 s', 'fewer viewers in the first 3 s', 'many viewers in the first 3 s')}`,
    engagement_rate: `drew ${ratioPhrase(ratio, 'more engagement', 'less engagement', 'much engagement')}`,
  }[insight.outcome];
  const sentence = `${subject.replace(/(\d)-(\d)/g, '$1–$2')} ${predicate} (${plural(formatCount(insight.sampleSize), 'post')}).`;
  return insight.smallSample ? `${sentence} Few posts: treat it as a hint.` : sentence;
}

/** Cluster labels made distinct: a repeated label gets the cluster's completion, then a number if still equal. */
export function distinctClusterNames(clusters: readonly { label: string; meanCompletionRate: number }[]): string[] {
  const count = (names: string[], name: string) => names.filter((n) => n === name).length;
  const labels = clusters.map((c) => c.label);
  const withCompletion = clusters.map((c, i) => (count(labels, c.label) > 1 ? `${c.label}, ${formatPercent(c.meanCompletionRate)} finish` : labels[i]));
  return withCompletion.map((name, i) =>
    count(withCompletion, name) > 1 ? `${name} (${withCompletion.slice(0, i + 1).filter((n) => n === name).length})` : name,
  );
}
