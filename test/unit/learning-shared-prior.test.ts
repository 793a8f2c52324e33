// The shared prior of learning across artists: random-effects pooling per column, which columns are shared, and a
// fit toward the prior that follows the prior with few posts and the data with many.
import { expect } from 'chai';
import { mean, spearman } from '../../src/learning/math/stats.js';
import { isSharedColumn, poolEstimates, sharedPrior, type ContributedModel, type SharedPrior } from '../../src/learning/virality/shared-prior.js';
import { fitViralityModel, fitViralityModelWithPrior } from '../../src/learning/virality/virality-fit.js';
import { ViralityModel, type ViralityModelParams } from '../../src/learning/virality/virality-model.js';
import { PLATFORM_EFFECT, viralityWorld } from '../helpers/virality-world.js';

const PLATFORMS = Object.keys(PLATFORM_EFFECT).sort();

const contribution = (params: ViralityModelParams): ContributedModel => ({
  columns: params.columns,
  coefficients: params.logViews.coefficients,
  coefficientVariances: params.coefficientVariances!,
  residualVariance: params.logViews.residualVariance,
});

const coefficient = (params: ViralityModelParams, name: string) => params.logViews.coefficients[params.columns.indexOf(name)];

describe('learning across artists: the shared prior', () => {
  it('pools agreeing estimates by precision and widens the prior when tenants disagree', () => {
    const agreeing = poolEstimates([1, 1, 1], [0.01, 0.04, 0.04]);
    expect(agreeing.betweenVariance).to.equal(0);
    expect(agreeing.mean).to.be.closeTo(1, 1e-12);
    expect(agreeing.variance).to.be.closeTo(1 / (100 + 25 + 25), 1e-12);
    // Precision weights: the precise estimate dominates while the spread is within the noise.
    expect(poolEstimates([0, 0.1], [0.01, 1]).mean).to.be.closeTo(0.1 / 101, 1e-12);
    // DerSimonian–Laird by hand: w = 100, 100; fixed mean 0.5; Q = 50; τ² = (50 − 1) / (200 − 100) = 0.49.
    const disagreeing = poolEstimates([0, 1], [0.01, 0.01]);
    expect(disagreeing.betweenVariance).to.be.closeTo(0.49, 1e-12);
    expect(disagreeing.mean).to.be.closeTo(0.5, 1e-12);
    expect(disagreeing.variance).to.be.closeTo(0.49 + 0.5 / 2, 1e-12);
  });

  it('shares effects but not levels or trends, needs two tenants, and ignores their order', () => {
    expect(['platform_tiktok', 'trend_months', 'platform_tiktok_trend_months'].some(isSharedColumn)).to.equal(false);
    expect(['quality_score', 'hour_18', 'platform_tiktok_hour_18', 'platform_x_weekday_3', 'platform_x_log_duration_s'].every(isSharedColumn)).to.equal(true);
    const a: ContributedModel = {
      columns: ['quality_score', 'platform_x', 'only_a'],
      coefficients: [1, 5, 2],
      coefficientVariances: [0.01, 0.01, 0.01],
      residualVariance: 0.3,
    };
    const b: ContributedModel = {
      columns: ['platform_x', 'quality_score'],
      coefficients: [-5, 1.2],
      coefficientVariances: [0.01, 0.01],
      residualVariance: 0.5,
    };
    expect(sharedPrior([a])).to.equal(undefined);
    const prior = sharedPrior([a, b])!;
    expect(Object.keys(prior.columns)).to.deep.equal(['quality_score']);
    expect(prior.columns.quality_score.mean).to.be.closeTo(1.1, 1e-12);
    expect(prior.residualVariance).to.be.closeTo(0.4, 1e-12);
    expect(prior.contributors).to.equal(2);
    expect(sharedPrior([b, a])).to.deep.equal(prior);
  });

  it('ranks a new tenant with 30 posts better with the prior than from its own posts alone, its level its own', () => {
    const prior = sharedPrior([11, 12, 13].map((seed, k) => contribution(fitViralityModel(viralityWorld(seed, 800, { level: 5 + 2 * k }))!)))!;
    expect(prior.contributors).to.equal(3);
    expect(prior.platforms).to.deep.equal(PLATFORMS);
    const small = viralityWorld(21, 30, { level: 9 });
    const heldOut = viralityWorld(22, 400, { level: 9 });
    const withPrior = fitViralityModelWithPrior(small, prior)!;
    const own = fitViralityModel(small, { minExamples: 10 })!;
    expect(withPrior.prior).to.deep.equal({ contributors: 3, fingerprint: prior.fingerprint, coldStart: true });
    const model = new ViralityModel(withPrior);
    const rho = (params: ViralityModelParams) =>
      spearman(
        heldOut.map((e) => new ViralityModel(params).predict(e).predictedLogViews),
        heldOut.map((e) => e.signal),
      );
    expect(rho(withPrior)).to.be.greaterThan(rho(own) + 0.1);
    // The level is the tenant's own (9), not the contributors' (5..9 → about 7).
    expect(mean(heldOut.map((e) => model.predict(e).predictedLogViews - e.signal))).to.be.closeTo(9, 0.3);
    expect(model.predict(heldOut[0]).coldStart).to.equal(true);
    expect(new ViralityModel(fitViralityModelWithPrior(small, prior, { coldStart: false })!).predict(heldOut[0]).coldStart).to.equal(false);
  });

  it('follows the prior with few posts and the data as posts accumulate', () => {
    // A prior that says quality does nothing (tenants agreeing closely); this tenant's quality effect is 1.2.
    const prior: SharedPrior = {
      columns: { quality_score: { mean: 0, variance: 0.01, tenants: 3 } },
      residualVariance: 0.25,
      platforms: PLATFORMS,
      contributors: 3,
      fingerprint: 'test',
    };
    const quality = (n: number) => coefficient(fitViralityModelWithPrior(viralityWorld(31, n), prior)!, 'quality_score');
    expect(Math.abs(quality(30))).to.be.below(0.2);
    expect(quality(300)).to.be.above(quality(30));
    expect(quality(5000)).to.be.closeTo(1.2, 0.15);
  });
});
