// What advice is made of (mirrors the proto's Recommendation and OutcomeEffect).
import type { Insight } from '../insights/insights.js';
import type { LeverName } from './levers.js';
import type { OutcomeName } from './outcome-models.js';

/** Kinds of recommendation (the proto's RecommendationKind without the prefix): one per lever. */
export type RecommendationKind =
  | 'duration'
  | 'cta'
  | 'caption'
  | 'quality'
  | 'posting_time'
  | 'platform_focus'
  | 'hook'
  | 'hashtags'
  | 'aesthetic'
  | 'posting_weekday';

/** The model's expected effect of a change on one outcome. */
export interface OutcomeEffect {
  outcome: OutcomeName;
  /** Expected relative change, e.g. 0.38 for +38 % (first-3-s loss: negative is better). */
  liftFraction: number;
  /** 80 % interval of liftFraction. */
  liftFractionP10: number;
  liftFractionP90: number;
  /** Expected outcome at the current and at the target value (views; rates 0..1). */
  currentExpected: number;
  targetExpected: number;
  /** Whether the effect's 90 % interval excludes zero (the model tells it from noise). */
  distinguishable: boolean;
}

/** Something to do: one lever on one platform (or all), from the learned outcome models. */
export interface Recommendation {
  kind: RecommendationKind;
  /** The platform it applies to; undefined for all. */
  platform?: string;
  /** The value to aim for, in words, e.g. "about 25 s", "19:00–22:00". */
  targetValue: string;
  /** Expected relative improvement of the primary outcome (a loss: its relative reduction), e.g. 0.3 for 30 %. */
  expectedLiftFraction: number;
  /** The primary outcome the target was chosen on. */
  outcome: OutcomeName | string;
  /** A plain sentence. */
  text: string;
  /** Reports stored before advice came from the models: the day's finding the recommendation rested on. */
  evidence?: Insight;
  lever?: LeverName;
  /** The tenant's typical value now, in words. */
  currentValue?: string;
  /** Machine-readable current and target values, e.g. "60" → "25", "false" → "true", "13-16" → "19-22". */
  currentKey?: string;
  targetKey?: string;
  /** The effect on every modelled outcome, the primary one first. */
  effects?: OutcomeEffect[];
  /** Version of the outcome models. */
  modelVersion?: string;
  /** Posts the primary outcome's model was fitted on. */
  postsBehind?: number;
}

/** What the learning run asks for its recommendations (AdviceService). */
export interface Adviser {
  advise(tenantId: string, day: string): Promise<Recommendation[]>;
}
