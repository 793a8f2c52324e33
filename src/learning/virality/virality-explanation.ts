// Plain-language labels of a prediction's per-feature contributions ("posted at 21:00 on TikTok: +0.42 log-views ≈ +52 % views").
import type { ExplainedFeature } from './virality-features.js';
import type { ViralityFeatures } from './virality.js';

/** What one feature added to a prediction, on the ln(1 + views) scale, with a sentence saying so. */
export interface FeatureContribution {
  feature: ExplainedFeature;
  /** Coefficients × (value − training mean) summed over the feature's columns. */
  logViews: number;
  label: string;
}

const PLATFORM_LABELS: Record<string, string> = { tiktok: 'TikTok', instagram: 'Instagram', youtube: 'YouTube', facebook: 'Facebook', x: 'X' };
/** The platform's name as people write it. */
export const platformLabel = (platform: string): string => PLATFORM_LABELS[platform] ?? platform;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** What the item's value of a feature is, in words. */
function describe(feature: ExplainedFeature, f: ViralityFeatures): string {
  const on = `on ${platformLabel(f.platform)}`;
  switch (feature) {
    case 'hour':
      return `posted at ${String(f.publishHour).padStart(2, '0')}:00 ${on}`;
    case 'weekday':
      return `posted on a ${WEEKDAYS[f.publishWeekday - 1] ?? `weekday ${f.publishWeekday}`} ${on}`;
    case 'platform':
      return `posted ${on}`;
    case 'duration':
      return `a ${Math.round(f.durationS)} s video`;
    case 'trend':
      return f.publishedAt ? `published on ${f.publishedAt.toISOString().slice(0, 10)} (the account's trend)` : `the account's current trend`;
    case 'quality_score':
      return `quality score ${f.qualityScore.toFixed(2)}`;
    case 'aesthetic_score':
      return `aesthetic score ${f.aestheticScore.toFixed(2)}`;
    case 'cta_in_first_5s':
      return f.ctaInFirst5s ? 'a call to action in the first 5 s' : 'no call to action in the first 5 s';
    case 'caption_length':
      return `a caption of ${Math.round(f.captionLengthChars)} characters`;
    case 'hashtag_count':
      return `${Math.round(f.hashtagCount)} hashtag${Math.round(f.hashtagCount) === 1 ? '' : 's'}`;
    case 'first_3s_loss':
      return f.first3sLoss === undefined ? 'no early-retention signal yet (the average assumed)' : `${Math.round(f.first3sLoss * 100)} % lost in the first 3 s`;
  }
}

const signed = (value: number, digits: number) => `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(digits)}`;

/** "posted at 21:00 on TikTok: +0.42 log-views ≈ +52 % views". */
export function contributionLabel(feature: ExplainedFeature, logViews: number, features: ViralityFeatures): string {
  return `${describe(feature, features)}: ${signed(logViews, 2)} log-views ≈ ${signed(Math.expm1(logViews) * 100, 0)} % views`;
}
