// Simulated experiments at the traffic of the synthetic world (src/demo/world.ts): ln(1 + views) = 7 + 1.5·quality
// + 0.6·CTA + peak-hour bonus + platform + noise (sd 0.35); the covariate is the planted expectation seen through an
// imperfect model (its own error). Pure: no database, seeded.
import { analyseMetric, type MetricPoint } from '../../src/experiment/analysis.js';
import { decide } from '../../src/experiment/decision.js';
import { METRIC_SPECS, type ExperimentMetric } from '../../src/experiment/experiment.types.js';
import { gaussian, mulberry32, type Random } from '../../src/learning/math/stats.js';

export interface SimulationOptions {
  seed: number;
  /** Posts each variant gets per day. */
  postsPerVariantPerDay: number;
  days: number;
  /** True relative effect of the treatment on views (0.2 = +20 %); 0 for an A/A test. */
  trueEffect: number;
  /** Standard deviation of the model's error on ln(1 + views). */
  predictionErrorSd?: number;
  /** When set, the treatment posts at its platform's peak hour and the control never does. */
  treatmentAtPeakHour?: boolean;
  covariateAdjustment?: boolean;
  minimumDetectableEffect?: number;
  /** Variants (the first is the control; the true effect applies to every other one); default 2. */
  variantCount?: number;
  /** views (default) or completion_rate (world: 0.24 for 15–30 s videos, 0.12 otherwise, ×(1 + 0.08·noise)). */
  metric?: Extract<ExperimentMetric, 'views' | 'completion_rate'>;
}

const PEAK_HOUR = [19, 12, 21];

/** One simulated post's ln(1 + views) expectation, outcome and the model's prediction. */
function simulatedPost(random: Random, treatment: boolean, options: SimulationOptions): { value: number; predictedLogViews: number } {
  const platform = Math.floor(random() * 3);
  const quality = random();
  const cta = random() < 0.5 ? 1 : 0;
  const hour = options.treatmentAtPeakHour ? (treatment ? PEAK_HOUR[platform] : (PEAK_HOUR[platform] + 6) % 24) : Math.floor(random() * 24);
  const distance = Math.min(Math.abs(hour - PEAK_HOUR[platform]), 24 - Math.abs(hour - PEAK_HOUR[platform]));
  const expected = 7 + 1.5 * quality + 0.6 * cta + (distance === 0 ? 0.9 : distance === 1 ? 0.35 : 0) + (platform === 2 ? 0.3 : 0);
  const predictedLogViews = expected + gaussian(random) * (options.predictionErrorSd ?? 0.15);
  const lift = treatment ? 1 + options.trueEffect : 1;
  if (options.metric === 'completion_rate') {
    const inBand = random() < 0.4;
    return { value: (inBand ? 0.24 : 0.12) * lift * (1 + gaussian(random) * 0.08), predictedLogViews };
  }
  return { value: Math.expm1(expected + Math.log(lift) + gaussian(random) * 0.35), predictedLogViews };
}

/** The points of `days` days of an A/B experiment, day by day. */
export function simulatedDays(options: SimulationOptions): MetricPoint[][] {
  const random = mulberry32(options.seed);
  return Array.from({ length: options.days }, () => {
    const day: MetricPoint[] = [];
    for (let variantIndex = 0; variantIndex < (options.variantCount ?? 2); variantIndex++)
      for (let i = 0; i < options.postsPerVariantPerDay; i++) {
        const post = simulatedPost(random, variantIndex > 0, options);
        day.push({ variantIndex, value: post.value, covariate: post.predictedLogViews });
      }
    return day;
  });
}

/** Looks at the experiment after every day; returns the first day (1-based) a winner is declared, or null. */
export function dayOfWinner(options: SimulationOptions): number | null {
  const points: MetricPoint[] = [];
  const variants = Array.from({ length: options.variantCount ?? 2 }, (_, i) => `v${i}`);
  for (const [index, day] of simulatedDays(options).entries()) {
    points.push(...day);
    const primary = analyseMetric(METRIC_SPECS[options.metric ?? 'views'], variants, points, {
      alpha: 0.05,
      minimumDetectableEffect: options.minimumDetectableEffect ?? 0.1,
      covariateAdjustment: options.covariateAdjustment ?? true,
    });
    if (decide(primary, [], { minimumDetectableEffect: options.minimumDetectableEffect ?? 0.1, plannedEndReached: false }).decision === 'stop_winner')
      return index + 1;
  }
  return null;
}

/** Wilson 95 % interval of a proportion. */
export function wilson(successes: number, trials: number): { rate: number; low: number; high: number } {
  const z = 1.959964;
  const p = successes / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denominator;
  return { rate: p, low: centre - half, high: centre + half };
}
