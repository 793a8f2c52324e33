// Evaluating virality predictors on a time-based hold-out, and the rule that promotes a new model.
import { mean, spearman } from '../math/stats.js';
import { byPublicationTime, type ViralityExample } from './virality-model.js';
import type { ViralityPredictor } from './virality.js';

/** How a predictor did on held-out examples. */
export interface ModelEvaluation {
  examples: number;
  /** Spearman ρ between predicted and actual ln(1 + views): does it rank content by outcome? */
  spearman: number;
  /** Mean absolute error on ln(1 + views). */
  maeLogViews: number;
  /** Share of actual views inside the predicted p10..p90 interval (0.8 is honest). */
  intervalCoverage: number;
}

/** An evaluation tagged with the kind of predictor, for {@link shouldPromote}. */
export interface ScoredModel extends ModelEvaluation {
  kind: 'formula' | 'learned';
}

/** The decision of {@link shouldPromote}, with a reason for the run's log and report. */
export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

/** Tuning of the promotion rule; defaults are what the service uses. */
export interface PromotionOptions {
  /** Hold-out examples a candidate needs. Default 30. */
  minExamples?: number;
  /** How much higher ρ must be than the current model's. Default 0 (strictly higher). */
  minSpearmanGain?: number;
  /** Relative MAE increase tolerated against a learned current model. Default 0.02. */
  maeMargin?: number;
  /** Interval coverage below which a candidate is not trusted. Default 0.6. */
  minCoverage?: number;
}

/** Splits examples by publication time: the oldest (1 − holdoutFraction) for training, the newest for the hold-out. */
export function timeSplit<T extends { publishedAt: Date }>(examples: readonly T[], holdoutFraction = 0.2): { training: T[]; holdout: T[] } {
  const ordered = byPublicationTime(examples);
  const cut = ordered.length - Math.round(ordered.length * holdoutFraction);
  return { training: ordered.slice(0, cut), holdout: ordered.slice(cut) };
}

/** Evaluates any predictor (the formula or a learned model) on held-out examples. */
export function evaluatePredictor(predictor: ViralityPredictor, holdout: readonly ViralityExample[]): ModelEvaluation {
  const predicted: number[] = [];
  const errors: number[] = [];
  let covered = 0;
  for (const example of holdout) {
    const prediction = predictor.predict(example);
    predicted.push(prediction.predictedLogViews);
    errors.push(Math.abs(example.logViews - prediction.predictedLogViews));
    const views = Math.expm1(example.logViews);
    if (views >= prediction.viewsP10 && views <= prediction.viewsP90) covered++;
  }
  return {
    examples: holdout.length,
    spearman: spearman(
      predicted,
      holdout.map((e) => e.logViews),
    ),
    maeLogViews: mean(errors),
    intervalCoverage: holdout.length ? covered / holdout.length : 0,
  };
}

/**
 * Whether a candidate replaces the current model: it needs enough hold-out examples and an honest-enough interval,
 * and a higher ρ than the current model on the same hold-out; against a learned current model its MAE may also not
 * be worse by more than the margin. Without a current model any adequate candidate is promoted.
 */
export function shouldPromote(candidate: ScoredModel, current: ScoredModel | undefined, options: PromotionOptions = {}): PromotionDecision {
  const minExamples = options.minExamples ?? 30;
  const minCoverage = options.minCoverage ?? 0.6;
  if (candidate.examples < minExamples) return { promote: false, reason: `only ${candidate.examples} hold-out examples (need ${minExamples})` };
  if (candidate.intervalCoverage < minCoverage) {
    return { promote: false, reason: `interval covers ${pct(candidate.intervalCoverage)} of the hold-out (need ${pct(minCoverage)})` };
  }
  if (!current) return { promote: true, reason: `no current model; ρ ${candidate.spearman.toFixed(3)}` };
  const gain = candidate.spearman - current.spearman;
  if (!(gain > (options.minSpearmanGain ?? 0))) {
    return { promote: false, reason: `ρ ${candidate.spearman.toFixed(3)} does not beat the current ${current.kind} model's ${current.spearman.toFixed(3)}` };
  }
  const maeMargin = options.maeMargin ?? 0.02;
  if (current.kind === 'learned' && candidate.maeLogViews > current.maeLogViews * (1 + maeMargin)) {
    return { promote: false, reason: `MAE ${candidate.maeLogViews.toFixed(3)} is worse than the current ${current.maeLogViews.toFixed(3)}` };
  }
  return { promote: true, reason: `ρ ${candidate.spearman.toFixed(3)} beats the current ${current.kind} model's ${current.spearman.toFixed(3)}` };
}

const pct = (fraction: number) => `${Math.round(fraction * 100)} %`;
