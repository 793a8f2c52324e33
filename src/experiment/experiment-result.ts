// One look at an experiment: its posts' outcomes and covariates → the primary and guardrail analyses and the
// decision. Pure: the service reads the data, this turns it into the result.
import { analyseMetric, type MetricPoint } from './analysis.js';
import { decide } from './decision.js';
import {
  METRIC_SPECS,
  type Experiment,
  type ExperimentMetric,
  type ExperimentPostOutcome,
  type ExperimentResult,
  type MetricAnalysis,
} from './experiment.types.js';

/** Family-wise error of each metric's comparisons: the intervals are 95 %. */
export const ALPHA = 0.05;

function outcomeOf(post: ExperimentPostOutcome, metric: ExperimentMetric): number | null {
  if (metric === 'views') return post.views;
  if (metric === 'completion_rate') return post.completionRate;
  if (metric === 'engagement_rate') return post.engagementRate;
  return post.first3sLoss;
}

function analysed(
  experiment: Experiment,
  metric: ExperimentMetric,
  posts: readonly ExperimentPostOutcome[],
  covariates: ReadonlyMap<string, number>,
): MetricAnalysis {
  const index = new Map(experiment.variants.map((v, i) => [v, i]));
  const points: MetricPoint[] = [];
  for (const post of posts) {
    const value = outcomeOf(post, metric);
    const variantIndex = index.get(post.variant);
    if (value === null || !Number.isFinite(value) || variantIndex === undefined) continue;
    points.push({ variantIndex, value, covariate: covariates.get(post.postId) ?? null });
  }
  return analyseMetric(METRIC_SPECS[metric], experiment.variants, points, {
    alpha: ALPHA,
    minimumDetectableEffect: experiment.minimumDetectableEffect,
    covariateAdjustment: experiment.covariateAdjustment,
  });
}

/** The result of `experiment` at `asOf`, looked at on `lookDay` (the planned end counts from that day). */
export function experimentResult(
  experiment: Experiment,
  posts: readonly ExperimentPostOutcome[],
  covariates: ReadonlyMap<string, number>,
  asOf: Date,
  lookDay: string,
): ExperimentResult {
  const primary = analysed(experiment, experiment.primaryMetric, posts, covariates);
  const guardrails = experiment.guardrailMetrics.map((metric) => analysed(experiment, metric, posts, covariates));
  const outcome = decide(primary, guardrails, {
    minimumDetectableEffect: experiment.minimumDetectableEffect,
    plannedEndReached: lookDay >= experiment.plannedEndDay,
  });
  return { experimentId: experiment.experimentId, asOf, primary, guardrails, ...outcome };
}
