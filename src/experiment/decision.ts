// The decision rule of one look: guardrails first, then a winner on the primary metric, then "no effect".
import { METRIC_SPECS, type DecisionOutcome, type MetricAnalysis, type VariantEstimate } from './experiment.types.js';
import { plural } from '../domain/plural.js';

/** Posts with an outcome every variant needs before any stop (the plug-in variance is rough below this). */
export const MIN_POSTS_PER_VARIANT = 10;

export interface DecisionOptions {
  minimumDetectableEffect: number;
  /** The look is on or after the planned end day. */
  plannedEndReached: boolean;
}

const METRIC_LABELS: Record<string, string> = {
  views: 'views',
  completion_rate: 'completion rate',
  engagement_rate: 'engagement rate',
  first_3s_loss: 'first-3-s loss',
};

const percent = (value: number | null) => (value === null ? '?' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`);
const interval = (v: VariantEstimate) =>
  `${percent(v.effectRelative)} (always-valid 95 % interval ${percent(v.effectRelativeLower)} to ${percent(v.effectRelativeUpper)})`;

/**
 * Decides at one look. A treatment significantly worse on a guardrail stops the experiment (STOP_GUARDRAIL); a
 * treatment significantly better on the primary metric wins (the largest effect among them), and the control wins
 * when every treatment is significantly worse (STOP_WINNER); every interval inside ±MDE, or the planned end reached,
 * stops with no effect (STOP_NO_EFFECT); otherwise CONTINUE. Nothing stops before every variant has
 * MIN_POSTS_PER_VARIANT outcomes.
 */
export function decide(primary: MetricAnalysis, guardrails: readonly MetricAnalysis[], options: DecisionOptions): DecisionOutcome {
  const short = primary.variants.find((v) => v.n < MIN_POSTS_PER_VARIANT);
  if (short && !options.plannedEndReached)
    return {
      decision: 'continue',
      winnerVariant: '',
      reason: `Variant "${short.variant}" has ${plural(short.n, 'post')} with an outcome; every variant needs ${MIN_POSTS_PER_VARIANT} before a decision.`,
    };
  const treatments = primary.variants.slice(1);
  const label = METRIC_LABELS[primary.metric];
  if (!short) {
    for (const guardrail of guardrails) {
      const harmed = guardrail.variants.slice(1).find((v) => v.significance === 'worse');
      if (harmed)
        return {
          decision: 'stop_guardrail',
          winnerVariant: '',
          reason: `Variant "${harmed.variant}" harms the guardrail ${METRIC_LABELS[guardrail.metric]}: ${interval(harmed)} vs the control.`,
        };
    }
    const direction = METRIC_SPECS[primary.metric].higherIsBetter ? 1 : -1;
    const better = treatments.filter((v) => v.significance === 'better');
    if (better.length) {
      const winner = better.reduce((a, b) => ((b.effectRelative ?? 0) * direction > (a.effectRelative ?? 0) * direction ? b : a));
      return {
        decision: 'stop_winner',
        winnerVariant: winner.variant,
        reason: `Variant "${winner.variant}" wins on ${label}: ${interval(winner)} vs the control.`,
      };
    }
    if (treatments.length && treatments.every((v) => v.significance === 'worse'))
      return {
        decision: 'stop_winner',
        winnerVariant: primary.variants[0].variant,
        reason: `The control "${primary.variants[0].variant}" wins on ${label}: every other variant is worse, e.g. "${treatments[0].variant}" ${interval(treatments[0])}.`,
      };
    const mde = options.minimumDetectableEffect;
    const withinMde = (v: VariantEstimate) =>
      v.effectRelativeLower !== null && v.effectRelativeUpper !== null && v.effectRelativeLower > -mde && v.effectRelativeUpper < mde;
    if (treatments.length && treatments.every(withinMde))
      return {
        decision: 'stop_no_effect',
        winnerVariant: '',
        reason: `No variant moves ${label} by ${percent(mde).replace('+', '±')} or more: every always-valid interval lies inside it, e.g. "${treatments[0].variant}" ${interval(treatments[0])}.`,
      };
  }
  if (options.plannedEndReached)
    return { decision: 'stop_no_effect', winnerVariant: '', reason: `The planned end is reached without a significant difference in ${label}.` };
  return {
    decision: 'continue',
    winnerVariant: '',
    reason: `No significant difference in ${label} yet${treatments[0] ? `: "${treatments[0].variant}" ${interval(treatments[0])}` : ''}.`,
  };
}
