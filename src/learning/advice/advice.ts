// Advice from the learned outcome models: per lever and platform, the model's effect of moving from the tenant's
// typical value to the best one, on every modelled outcome; advised only when the model can tell it from noise.
import { normalQuantile } from '../math/stats.js';
import { platformLabel } from '../virality/virality-explanation.js';
import type { ViralityFeatures } from '../virality/virality.js';
import { adviceText } from './advice-text.js';
import type { OutcomeEffect, Recommendation, RecommendationKind } from './advice.types.js';
import { leverSpecs, RECENT_POSTS, typicalItem, type LeverName, type LeverSpec, type LeverValue, type Scope } from './levers.js';
import { contrast, higherIsBetter, relativeLift, type OutcomeExample, type OutcomeModel, type OutcomeName } from './outcome-models.js';

/** Tuning of the advice; defaults are what the service uses. */
export interface AdviceOptions {
  /** Smallest expected improvement of the primary outcome worth advising (relative). Default 0.1. */
  minLiftFraction?: number;
  /** The outcome targets are chosen on. Default views. */
  primaryOutcome?: OutcomeName;
  /**
   * Confidence that no advised effect is noise, over all the levers and platforms looked at on the day (Holm's
   * step-down: with ~15 looked at, the strongest effect's interval is a 99.3 % one). Default 0.9.
   */
  familyConfidence?: number;
  /** Posts of a platform's window below which it gets no advice of its own. Default 30. */
  minPlatformPosts?: number;
  modelVersion?: string;
}

const KINDS: Record<LeverName, RecommendationKind> = {
  duration: 'duration',
  cta_in_first_5s: 'cta',
  caption_length: 'caption',
  hashtag_count: 'hashtags',
  quality_score: 'quality',
  aesthetic_score: 'aesthetic',
  hook: 'hook',
  posting_hour: 'posting_time',
  posting_weekday: 'posting_weekday',
  platform: 'platform_focus',
};

const Z80 = normalQuantile(0.9);
const Z90 = normalQuantile(0.95);

/** How much better `to` is than `from` on an outcome, on the model's scale (positive is better). */
const gain = (outcome: OutcomeName, change: number) => (higherIsBetter(outcome) ? change : -change);

/** The effect of a change on one outcome, as reported. */
export function outcomeEffect(model: OutcomeModel, from: readonly ViralityFeatures[], to: readonly ViralityFeatures[]): OutcomeEffect {
  const c = contrast(model, from, to);
  const level = (v: number) => (model.outcome === 'views' ? Math.max(0, Math.expm1(v)) : Math.min(1, Math.max(0, v)));
  return {
    outcome: model.outcome,
    liftFraction: relativeLift(model.outcome, c),
    liftFractionP10: relativeLift(model.outcome, c, -Z80),
    liftFractionP90: relativeLift(model.outcome, c, Z80),
    currentExpected: level(c.from),
    targetExpected: level(c.to),
    distinguishable: Math.abs(c.change) > Z90 * c.standardError,
  };
}

/** The scopes looked at: each platform with enough posts, and all platforms together. */
function scopesOf(examples: readonly OutcomeExample[], platforms: readonly string[], minPlatformPosts: number): { all: Scope; byPlatform: Scope[] } {
  const latest = examples.reduce((t, e) => Math.max(t, e.publishedAt.getTime()), 0);
  const ordered = [...examples].sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime());
  const byPlatform = platforms.flatMap((platform) => {
    const window = ordered.filter((e) => e.platform === platform);
    if (window.length < minPlatformPosts) return [];
    const recent = window.slice(-RECENT_POSTS);
    return [{ platform, bases: [typicalItem(recent, platform, new Date(latest))], recent, window }];
  });
  return { all: { bases: byPlatform.flatMap((s) => s.bases), recent: ordered.slice(-RECENT_POSTS), window: ordered }, byPlatform };
}

interface Candidate {
  spec: LeverSpec;
  scope: Scope;
  current: LeverValue;
  target: LeverValue;
  change: number;
  standardError: number;
}

/**
 * Advice for a tenant from its outcome models and their training rows: for each lever and scope, the value the
 * primary outcome's model expects most of (all other features at the scope's typical item), advised when that
 * improvement's 90 % interval excludes zero — simultaneous over everything looked at (Holm), so that features with no
 * effect are not advised once in 15 tries — and the expected lift is at
 * least `minLiftFraction`; every other outcome's expected change is in the same advice (its trade-offs). One advice
 * per lever and scope, so never two with different targets; largest lift first.
 */
export function advise(models: readonly OutcomeModel[], examples: readonly OutcomeExample[], options: AdviceOptions = {}): Recommendation[] {
  const primaryOutcome = options.primaryOutcome ?? 'views';
  const primary = models.find((m) => m.outcome === primaryOutcome);
  if (!primary || examples.length === 0) return [];
  const platforms = primary.layout.platforms;
  const { all, byPlatform } = scopesOf(examples, platforms, options.minPlatformPosts ?? 30);
  if (byPlatform.length === 0) return [];
  const specs = leverSpecs({ hook: primary.layout.useFirst3sLoss, platforms: byPlatform.map((s) => s.platform!), platformLabel });
  const candidates: Candidate[] = [];
  let looked = 0;
  for (const spec of specs) {
    for (const scope of spec.scope === 'all' ? [all] : byPlatform) {
      const current = spec.current(scope);
      let best: Candidate | undefined;
      for (const target of spec.candidates(scope)) {
        if (target.key === current.key) continue;
        const c = contrast(primary, current.items, target.items);
        if (!best || gain(primaryOutcome, c.change) > gain(primaryOutcome, best.change)) {
          best = { spec, scope, current, target, change: c.change, standardError: c.standardError };
        }
      }
      if (!best) continue;
      looked++;
      if (gain(primaryOutcome, best.change) > 0) candidates.push(best);
    }
  }
  // Holm's step-down over everything looked at: the strongest effect is judged at 1 − α / m, the next at
  // 1 − α / (m − 1), …, until one fails (the family's chance of any advised effect being noise stays ≤ α).
  const alpha = 1 - (options.familyConfidence ?? 0.9);
  const ordered = [...candidates].sort((a, b) => gain(primaryOutcome, b.change) / b.standardError - gain(primaryOutcome, a.change) / a.standardError);
  const minLift = options.minLiftFraction ?? 0.1;
  const advice: Recommendation[] = [];
  for (const [k, c] of ordered.entries()) {
    const z = normalQuantile(1 - alpha / (2 * Math.max(1, looked - k)));
    if (gain(primaryOutcome, c.change) - z * c.standardError <= 0) break;
    const effects = [primary, ...models.filter((m) => m !== primary)].map((m) => outcomeEffect(m, c.current.items, c.target.items));
    const improvement = higherIsBetter(primaryOutcome) ? effects[0].liftFraction : -effects[0].liftFraction;
    if (improvement < minLift) continue;
    const lever = c.spec.lever;
    advice.push({
      kind: KINDS[lever],
      ...(c.scope.platform ? { platform: c.scope.platform } : {}),
      lever,
      currentValue: c.current.label,
      currentKey: c.current.key,
      targetValue: c.target.label,
      targetKey: c.target.key,
      expectedLiftFraction: improvement,
      outcome: primaryOutcome,
      effects,
      ...(options.modelVersion ? { modelVersion: options.modelVersion } : {}),
      postsBehind: primary.trainedExamples,
      text: adviceText(lever, c.scope.platform, c.current, c.target, effects),
    });
  }
  return advice.sort(
    (a, b) => b.expectedLiftFraction - a.expectedLiftFraction || `${a.lever}/${a.platform ?? ''}`.localeCompare(`${b.lever}/${b.platform ?? ''}`),
  );
}
