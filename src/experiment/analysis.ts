// One metric of an experiment at one look: (adjusted) means per variant, effects vs the control with always-valid
// intervals, and the probability each variant is best. Pure: plain numbers in, plain numbers out.
import { adjustedGroups, differenceVariance, type AnalysisPoint } from './covariate-adjustment.js';
import type { MetricAnalysis, MetricSpec, VariantEstimate } from './experiment.types.js';
import { probabilityBest } from './probability-best.js';
import { alwaysValidHalfWidth } from './sequential.js';

export interface AnalysisOptions {
  /** Family-wise error of the treatment-vs-control comparisons (split evenly across the treatments). */
  alpha: number;
  /** Smallest relative effect worth detecting; τ of the mixture is this effect on the analysis scale. */
  minimumDetectableEffect: number;
  covariateAdjustment: boolean;
}

/** A post's outcome in metric units, its variant and its covariate. */
export type MetricPoint = AnalysisPoint;

const toAnalysisScale = (spec: MetricSpec, value: number) => (spec.logScale ? Math.log1p(Math.max(0, value)) : value);
const toMetricUnits = (spec: MetricSpec, value: number) => (spec.logScale ? Math.expm1(value) : value);
const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

/**
 * The mixing standard deviation τ on the analysis scale. Views: ln(1 + mde), a fixed number. Rates: mde × the
 * pooled mean rate.
 * NOTE: for rates τ depends on the pooled mean (mildly data-dependent, the same for every variant); the interval
 * stays valid for any fixed τ, and the pooled mean settles after a few days.
 */
function mixingSd(spec: MetricSpec, points: readonly MetricPoint[], mde: number): number {
  if (spec.logScale) return Math.log1p(mde);
  const pooled = points.reduce((s, p) => s + p.value, 0) / Math.max(points.length, 1);
  return mde * Math.max(Math.abs(pooled), 1e-6);
}

/** Analyses one metric; `variants[0]` is the control, `points` carry values in metric units. */
export function analyseMetric(spec: MetricSpec, variants: readonly string[], points: readonly MetricPoint[], options: AnalysisOptions): MetricAnalysis {
  const onScale = points.map((p) => ({ ...p, value: toAnalysisScale(spec, p.value) }));
  const estimate = adjustedGroups(onScale, variants.length, options.covariateAdjustment);
  const tau = mixingSd(spec, points, options.minimumDetectableEffect);
  const comparisonAlpha = options.alpha / Math.max(variants.length - 1, 1);
  const control = estimate.groups[0];
  const best = probabilityBest(
    estimate.groups.map((g) => ({ mean: g.adjustedMean, variance: g.varianceOfMean })),
    spec.higherIsBetter,
  );
  const estimates = variants.map((variant, index): VariantEstimate => {
    const group = estimate.groups[index];
    const base: VariantEstimate = {
      variant,
      n: group.n,
      mean: group.n ? finiteOrNull(toMetricUnits(spec, group.mean)) : null,
      adjustedMean: group.n ? finiteOrNull(toMetricUnits(spec, group.adjustedMean)) : null,
      effectRelative: null,
      effectRelativeLower: null,
      effectRelativeUpper: null,
      significance: 'none',
      probabilityBest: best[index],
    };
    if (index === 0 || group.n < 2 || control.n < 2) return base;
    const difference = group.adjustedMean - control.adjustedMean;
    const halfWidth = alwaysValidHalfWidth(differenceVariance(estimate, index, 0), tau * tau, comparisonAlpha);
    const lower = difference - halfWidth;
    const upper = difference + halfWidth;
    const relative = (d: number) => (spec.logScale ? Math.expm1(d) : control.adjustedMean !== 0 ? d / Math.abs(control.adjustedMean) : Number.NaN);
    const direction = lower > 0 ? 1 : upper < 0 ? -1 : 0;
    return {
      ...base,
      effectRelative: finiteOrNull(relative(difference)),
      effectRelativeLower: finiteOrNull(relative(lower)),
      effectRelativeUpper: finiteOrNull(relative(upper)),
      significance: direction === 0 ? 'none' : direction > 0 === spec.higherIsBetter ? 'better' : 'worse',
    };
  });
  return { metric: spec.metric, variants: estimates, adjusted: estimate.adjusted, varianceReduction: estimate.varianceReduction };
}
