// The pure pieces of the experiment statistics: always-valid widths, probability best, the decision rule.
import { expect } from 'chai';
import { analyseMetric } from '../../src/experiment/analysis.js';
import { decide, MIN_POSTS_PER_VARIANT } from '../../src/experiment/decision.js';
import { experimentResult } from '../../src/experiment/experiment-result.js';
import { METRIC_SPECS, type Experiment, type ExperimentPostOutcome, type MetricAnalysis } from '../../src/experiment/experiment.types.js';
import { probabilityBest } from '../../src/experiment/probability-best.js';
import { alwaysValidHalfWidth, fixedHorizonHalfWidth, normalQuantile } from '../../src/experiment/sequential.js';

/** The direction a significant interval means for `metric` (a lower first-3-s loss is better). */
function significance(metric: MetricAnalysis['metric'], lower: number, upper: number): 'better' | 'worse' | 'none' {
  if (lower <= 0 && upper >= 0) return 'none';
  return lower > 0 === METRIC_SPECS[metric].higherIsBetter ? 'better' : 'worse';
}

const analysis = (metric: MetricAnalysis['metric'], n: number, effects: [number, number, number][]): MetricAnalysis => ({
  metric,
  adjusted: false,
  varianceReduction: 0,
  variants: [
    {
      variant: 'A',
      n,
      mean: 1,
      adjustedMean: 1,
      effectRelative: null,
      effectRelativeLower: null,
      effectRelativeUpper: null,
      significance: 'none',
      probabilityBest: 0.5,
    },
    ...effects.map(([effectRelative, effectRelativeLower, effectRelativeUpper], i) => ({
      variant: `T${i + 1}`,
      n,
      mean: 1,
      adjustedMean: 1,
      effectRelative,
      effectRelativeLower,
      effectRelativeUpper,
      significance: significance(metric, effectRelativeLower, effectRelativeUpper),
      probabilityBest: 0.5,
    })),
  ],
});

describe('experiment statistics', () => {
  it('normal quantiles and interval widths: the always-valid one is wider than the one-look one and shrinks with data', () => {
    expect(normalQuantile(0.975)).to.be.closeTo(1.959964, 1e-6);
    expect(normalQuantile(0.005)).to.be.closeTo(-2.575829, 1e-6);
    expect(fixedHorizonHalfWidth(1, 0.05)).to.be.closeTo(1.959964, 1e-6);
    const tau2 = Math.log1p(0.1) ** 2;
    for (const variance of [0.1, 0.01, 0.001]) expect(alwaysValidHalfWidth(variance, tau2, 0.05)).to.be.greaterThan(fixedHorizonHalfWidth(variance, 0.05));
    expect(alwaysValidHalfWidth(0.001, tau2, 0.05)).to.be.lessThan(alwaysValidHalfWidth(0.01, tau2, 0.05));
    expect(alwaysValidHalfWidth(Number.NaN, tau2, 0.05)).to.equal(Number.POSITIVE_INFINITY);
  });

  it('probability best: sums to 1, matches the two-variant closed form, direction-aware', () => {
    const two = probabilityBest(
      [
        { mean: 0, variance: 0.5 },
        { mean: 1, variance: 0.5 },
      ],
      true,
    );
    expect(two[1]).to.be.closeTo(0.8413, 1e-3);
    expect(two[0] + two[1]).to.be.closeTo(1, 1e-12);
    const lowerBetter = probabilityBest(
      [
        { mean: 0, variance: 0.5 },
        { mean: 1, variance: 0.5 },
      ],
      false,
    );
    expect(lowerBetter[0]).to.be.closeTo(0.8413, 1e-3);
    const three = probabilityBest(
      [
        { mean: 0, variance: 0.01 },
        { mean: 0.5, variance: 0.01 },
        { mean: 5, variance: 0.01 },
      ],
      true,
    );
    expect(three[2]).to.be.closeTo(1, 1e-6);
    const tied = probabilityBest(
      [
        { mean: 0, variance: 1 },
        { mean: 0, variance: 1 },
        { mean: 0, variance: 1 },
      ],
      true,
    );
    for (const p of tied) expect(p).to.be.closeTo(1 / 3, 1e-4);
    const mixed = probabilityBest(
      [
        { mean: 0, variance: 0.01 },
        { mean: 0.1, variance: 0.02 },
        { mean: 0.05, variance: 0.03 },
      ],
      false,
    );
    expect(mixed.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-6);
    expect(mixed[0]).to.be.greaterThan(mixed[2]).and.greaterThan(mixed[1]);
    expect(
      probabilityBest(
        [
          { mean: Number.NaN, variance: Number.NaN },
          { mean: 1, variance: 1 },
        ],
        true,
      ),
    ).to.deep.equal([0, 1]);
  });

  it('analyses a metric: a large effect is significant, the control carries no effect, rates are relative to the control', () => {
    const points = Array.from({ length: 40 }, (_, i) => ({ variantIndex: i % 2, value: (i % 2 ? 0.3 : 0.2) + ((i % 5) - 2) * 0.001, covariate: null }));
    const result = analyseMetric(METRIC_SPECS.completion_rate, ['A', 'B'], points, { alpha: 0.05, minimumDetectableEffect: 0.1, covariateAdjustment: true });
    expect(result.adjusted).to.equal(false);
    expect(result.variants[0].effectRelative).to.equal(null);
    expect(result.variants[1].effectRelative).to.be.closeTo(0.5, 0.01);
    expect(result.variants[1].significance).to.equal('better');
    expect(result.variants[1].probabilityBest).to.be.greaterThan(0.99);
    const loss = analyseMetric(METRIC_SPECS.first_3s_loss, ['A', 'B'], points, { alpha: 0.05, minimumDetectableEffect: 0.1, covariateAdjustment: true });
    expect(loss.variants[1].significance).to.equal('worse');
  });

  it('decides: too few posts, guardrail, winner (treatment or control), no effect, planned end', () => {
    const options = { minimumDetectableEffect: 0.1, plannedEndReached: false };
    expect(decide(analysis('views', MIN_POSTS_PER_VARIANT - 1, [[0.5, 0.3, 0.7]]), [], options).decision).to.equal('continue');
    const guardrail = decide(analysis('views', 20, [[0.5, 0.3, 0.7]]), [analysis('completion_rate', 20, [[-0.2, -0.3, -0.1]])], options);
    expect(guardrail.decision).to.equal('stop_guardrail');
    expect(guardrail.reason).to.match(/"T1" harms the guardrail completion rate/);
    const winner = decide(
      analysis('views', 20, [
        [0.2, 0.05, 0.35],
        [0.4, 0.2, 0.6],
      ]),
      [],
      options,
    );
    expect(winner).to.include({ decision: 'stop_winner', winnerVariant: 'T2' });
    expect(decide(analysis('views', 20, [[-0.3, -0.5, -0.1]]), [], options)).to.include({ decision: 'stop_winner', winnerVariant: 'A' });
    expect(decide(analysis('views', 20, [[0.01, -0.05, 0.06]]), [], options).decision).to.equal('stop_no_effect');
    expect(decide(analysis('views', 20, [[0.05, -0.2, 0.3]]), [], options).decision).to.equal('continue');
    expect(decide(analysis('views', 20, [[0.05, -0.2, 0.3]]), [], { ...options, plannedEndReached: true }).decision).to.equal('stop_no_effect');
    // first-3-s loss: a lower loss is better, so a negative effect wins, and the most negative one.
    expect(
      decide(
        analysis('first_3s_loss', 20, [
          [-0.3, -0.5, -0.1],
          [-0.2, -0.3, -0.1],
        ]),
        [],
        options,
      ),
    ).to.include({ decision: 'stop_winner', winnerVariant: 'T1' });
  });
});

describe('experiment result (pure)', () => {
  const experiment: Experiment = {
    experimentId: 'e1',
    name: 'n',
    hypothesis: '',
    variants: ['A', 'B'],
    primaryMetric: 'first_3s_loss',
    guardrailMetrics: ['engagement_rate'],
    minimumDetectableEffect: 0.1,
    horizonHours: 24,
    plannedEndDay: '2025-01-31',
    covariateAdjustment: true,
    status: 'running',
    decision: null,
    decisionReason: '',
    winnerVariant: '',
    createdAt: new Date('2025-01-01T00:00:00Z'),
    stoppedAt: null,
    postCounts: [0, 0],
  };
  const posts: ExperimentPostOutcome[] = Array.from({ length: 40 }, (_, i) => ({
    postId: `p${i}`,
    variant: i % 2 ? 'B' : 'A',
    contentId: `c${i}`,
    platform: 'tiktok',
    publishedAt: new Date('2025-01-02T00:00:00Z'),
    timeZone: 'UTC',
    views: 1000,
    completionRate: 0.2,
    // B loses fewer viewers early: better on the primary metric.
    first3sLoss: (i % 2 ? 0.2 : 0.4) + (i % 5) * 0.001,
    engagementRate: i < 4 ? null : 0.08 + (i % 3) * 0.001,
  }));

  it('reads each metric from its outcome, skips missing ones, and decides in the metric direction', () => {
    const result = experimentResult(experiment, posts, new Map(), new Date('2025-01-10T00:00:00Z'), '2025-01-09');
    expect(result).to.include({ decision: 'stop_winner', winnerVariant: 'B' });
    expect(result.primary.variants[1].effectRelative).to.be.closeTo(-0.5, 0.01);
    expect(result.primary.adjusted).to.equal(false);
    expect(result.guardrails[0].variants.map((v) => v.n)).to.deep.equal([18, 18]);
  });

  it('stops with no effect once the planned end day is reached without a winner', () => {
    const flat = posts.map((p) => ({ ...p, first3sLoss: 0.3 + (Number(p.postId.slice(1)) % 7) * 0.05 }));
    const before = experimentResult(experiment, flat.slice(0, 12), new Map(), new Date('2025-01-10T00:00:00Z'), '2025-01-30');
    expect(before.decision).to.equal('continue');
    const atEnd = experimentResult(experiment, flat.slice(0, 12), new Map(), new Date('2025-02-01T00:00:00Z'), '2025-01-31');
    expect(atEnd.decision).to.equal('stop_no_effect');
    expect(atEnd.reason).to.match(/planned end/);
  });
});
