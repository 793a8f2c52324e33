// Recommendations: structured, readable advice drawn from significant, adequately sized findings.
import {
  bandText,
  hourRangeText,
  improvementFraction,
  insightText,
  outcomeSpec,
  type FeatureName,
  type Insight,
  type InsightRow,
  type OutcomeName,
} from './insights.js';
import { oneSampleTTest, summarize } from '../math/stats.js';

/** Kinds of recommendation (the proto's RecommendationKind without the prefix). */
export type RecommendationKind = 'duration' | 'cta' | 'caption' | 'quality' | 'posting_time' | 'platform_focus' | 'hook';

/** Something to do, with the evidence for it (mirrors the proto's Recommendation). */
export interface Recommendation {
  kind: RecommendationKind;
  /** The platform it applies to; undefined for all. */
  platform?: string;
  /** The value to aim for, e.g. "15-30 s", "true", "18:00-21:00". */
  targetValue: string;
  /** Expected relative improvement of the outcome (for a loss, its relative reduction), e.g. 0.3 for 30 %. */
  expectedLiftFraction: number;
  outcome: OutcomeName;
  evidence: Insight;
  text: string;
}

/** Tuning of the recommendations; defaults are what the service uses. */
export interface RecommendationOptions {
  /** Set on every recommendation drawn from the insights, when they were discovered on one platform's posts. */
  platform?: string;
  /** Posts needed behind a recommendation. Default 30. */
  minSampleSize?: number;
  /** Mean first-3-s loss of a platform from which its hook needs work. Default 0.4. */
  hookLossThreshold?: number;
  /** Confidence needed that a platform's loss is above the threshold. Default 0.95. */
  hookConfidence?: number;
}

interface Advice {
  kind: RecommendationKind;
  target: (bucket: string) => string;
  action: (bucket: string) => string;
}

const ADVICE: Record<FeatureName, Advice> = {
  duration_s: { kind: 'duration', target: (b) => bandText(b, 's'), action: (b) => `Aim for a video length of ${bandText(b, 's')}` },
  cta_in_first_5s: {
    kind: 'cta',
    target: (b) => b,
    action: (b) => (b === 'true' ? 'Put a call to action in the first 5 s' : 'Keep the first 5 s free of calls to action'),
  },
  caption_length_chars: { kind: 'caption', target: (b) => bandText(b, 'characters'), action: (b) => `Write captions of ${bandText(b, 'characters')}` },
  hashtag_count: {
    kind: 'caption',
    target: (b) => (b === '0' ? 'no hashtags' : bandText(b, 'hashtags')),
    action: (b) => (b === '0' ? 'Leave hashtags out' : `Use ${bandText(b, 'hashtags')}`),
  },
  quality_score: { kind: 'quality', target: (b) => bandText(b, ''), action: (b) => `Aim for a quality score of ${bandText(b, '')}` },
  aesthetic_score: { kind: 'quality', target: (b) => bandText(b, ''), action: (b) => `Aim for an aesthetic score of ${bandText(b, '')}` },
  platform: { kind: 'platform_focus', target: (b) => b, action: (b) => `Put more effort into ${b}` },
  publish_hour: { kind: 'posting_time', target: hourRangeText, action: (b) => `Post between ${hourRangeText(b)}` },
};

/** "+35 % completion rate (48 % vs 36 %)". */
function expectation(insight: Insight): string {
  const outcome = outcomeSpec(insight.outcome);
  const improvement = improvementFraction(insight);
  const verb = outcome.higherIsBetter ? 'higher' : 'lower';
  return `${Math.round(improvement * 100)} % ${verb} ${outcome.label} (${outcome.format(insight.bucketMean)} vs ${outcome.format(insight.restMean)}, ${insight.sampleSize} posts)`;
}

/**
 * Turns findings into recommendations: only significant, adequately sized findings that point the good way, the best
 * bucket per (feature, outcome); plus a HOOK recommendation for each platform whose mean first-3-s loss is
 * confidently above the threshold (its evidence is a one-sample t-test against that threshold: restMean is the
 * threshold and restSampleSize 0). Highest expected lift first.
 */
export function recommend(insights: readonly Insight[], rows: readonly InsightRow[], options: RecommendationOptions = {}): Recommendation[] {
  const minSampleSize = options.minSampleSize ?? 30;
  const best = new Map<string, Insight>();
  for (const insight of insights) {
    if (!insight.significant || insight.smallSample || insight.sampleSize < minSampleSize || improvementFraction(insight) <= 0) continue;
    const key = `${insight.feature}/${insight.outcome}`;
    const current = best.get(key);
    if (!current || improvementFraction(insight) > improvementFraction(current)) best.set(key, insight);
  }
  const recommendations: Recommendation[] = [...best.values()].map((evidence) => {
    const advice = ADVICE[evidence.feature];
    return {
      kind: advice.kind,
      ...(options.platform === undefined ? {} : { platform: options.platform }),
      targetValue: advice.target(evidence.bucket),
      expectedLiftFraction: improvementFraction(evidence),
      outcome: evidence.outcome,
      evidence,
      text: `${advice.action(evidence.bucket)}: such posts show ${expectation(evidence)}.`,
    };
  });
  recommendations.push(...hookRecommendations(rows, minSampleSize, options.hookLossThreshold ?? 0.4, options.hookConfidence ?? 0.95));
  return recommendations.sort(
    (a, b) =>
      b.expectedLiftFraction - a.expectedLiftFraction || `${a.kind}/${a.platform}/${a.targetValue}`.localeCompare(`${b.kind}/${b.platform}/${b.targetValue}`),
  );
}

/** HOOK recommendations for platforms that lose too many viewers in the first 3 s. */
function hookRecommendations(rows: readonly InsightRow[], minSampleSize: number, threshold: number, confidenceNeeded: number): Recommendation[] {
  const byPlatform = new Map<string, number[]>();
  for (const row of rows) {
    const losses = byPlatform.get(row.platform) ?? [];
    losses.push(row.outcomes.first3sLoss);
    byPlatform.set(row.platform, losses);
  }
  const recommendations: Recommendation[] = [];
  for (const [platform, losses] of [...byPlatform].sort(([a], [b]) => a.localeCompare(b))) {
    const summary = summarize(losses);
    if (summary.n < minSampleSize || summary.mean < threshold || summary.mean <= 0) continue;
    const test = oneSampleTTest(summary, threshold);
    const sd = Math.sqrt(summary.variance);
    const base = {
      feature: 'platform' as const,
      bucket: platform,
      outcome: 'first_3s_loss' as const,
      bucketMean: summary.mean,
      restMean: threshold,
      liftFraction: (summary.mean - threshold) / threshold,
      effectSize: sd === 0 ? 0 : (summary.mean - threshold) / sd,
      sampleSize: summary.n,
      restSampleSize: 0,
      confidence: 1 - test.pValue,
      pValue: test.pValue,
      significant: 1 - test.pValue >= confidenceNeeded,
      smallSample: false,
    };
    if (!base.significant) continue;
    const evidence: Insight = { ...base, text: insightText(base).replace('for other posts', 'allowed by the threshold') };
    const reduction = (summary.mean - threshold) / summary.mean;
    recommendations.push({
      kind: 'hook',
      platform,
      targetValue: `first-3-s loss ≤ ${Math.round(threshold * 100)} %`,
      expectedLiftFraction: reduction,
      outcome: 'first_3s_loss',
      evidence,
      text:
        `On ${platform}, ${Math.round(summary.mean * 100)} % of viewers leave in the first 3 s (${summary.n} posts): ` +
        `open with the payoff and cut the intro; reaching ${Math.round(threshold * 100)} % would cut early losses by ${Math.round(reduction * 100)} %.`,
    });
  }
  return recommendations;
}
