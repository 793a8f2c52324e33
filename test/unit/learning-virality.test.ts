// Virality: the cold-start formula's arithmetic, and a learned ridge model that beats it on a time-based hold-out.
import { expect } from 'chai';
import { bestTimeToPost, slotTimingValue, type BestTimeResult } from '../../src/learning/timing/timing-grid.js';
import { choleskySolve } from '../../src/learning/math/linear-algebra.js';
import { mean, quantile } from '../../src/learning/math/stats.js';
import { evaluatePredictor, shouldPromote, timeSplit, type ScoredModel } from '../../src/learning/virality/virality-evaluation.js';
import { fitViralityModel } from '../../src/learning/virality/virality-fit.js';
import { PLATFORM_EFFECT, viralityWorld } from '../helpers/virality-world.js';
import { percentileWithin, ViralityModel, type ViralityExample } from '../../src/learning/virality/virality-model.js';
import { coldStartPrediction, coldStartPredictor, type ColdStartContext, type ViralityFeatures } from '../../src/learning/virality/virality.js';

/** The formula's context as the daily run would build it from the training history. */
function formulaContext(training: readonly ViralityExample[]): ColdStartContext {
  const views = training.map((e) => Math.expm1(e.logViews));
  const grids = new Map<string, BestTimeResult>();
  const engagementRateByPlatform: Record<string, number> = {};
  for (const platform of Object.keys(PLATFORM_EFFECT)) {
    const own = training.filter((e) => e.platform === platform);
    grids.set(
      platform,
      bestTimeToPost(
        own.map((e) => ({ publishedAt: e.publishedAt, outcome: e.logViews })),
        'UTC',
      ),
    );
    engagementRateByPlatform[platform] = mean(own.map((e) => e.engagementRate ?? 0));
  }
  return {
    views: { p10: quantile(views, 0.1), median: quantile(views, 0.5), p90: quantile(views, 0.9) },
    engagementRateByPlatform,
    timingValue: (f) => slotTimingValue(grids.get(f.platform)!, f.publishWeekday, f.publishHour),
  };
}

const FEATURES: ViralityFeatures = {
  platform: 'tiktok',
  durationS: 30,
  qualityScore: 0.8,
  aestheticScore: 0.6,
  captionLengthChars: 80,
  ctaInFirst5s: true,
  hashtagCount: 3,
  publishHour: 18,
  publishWeekday: 5,
};

describe('learning virality', () => {
  const { training, holdout } = timeSplit(viralityWorld(2026, 3000));
  const params = fitViralityModel(training)!;
  const learned = new ViralityModel(params);
  const learnedEvaluation = evaluatePredictor(learned, holdout);
  const formulaEvaluation = evaluatePredictor(coldStartPredictor(formulaContext(training)), holdout);

  it('splits by time: every hold-out example is newer than every training example', () => {
    expect(training).to.have.length(2400);
    expect(holdout).to.have.length(600);
    const newestTraining = Math.max(...training.map((e) => e.publishedAt.getTime()));
    expect(holdout.every((e) => e.publishedAt.getTime() >= newestTraining)).to.equal(true);
  });

  it('learns a model that ranks held-out content better than the fixed formula', () => {
    expect(learnedEvaluation.examples).to.equal(600);
    expect(learnedEvaluation.spearman).to.be.greaterThan(formulaEvaluation.spearman + 0.1);
    expect(learnedEvaluation.spearman).to.be.greaterThan(0.6);
    expect(learnedEvaluation.maeLogViews).to.be.lessThan(formulaEvaluation.maeLogViews);
    // Noise of sd 0.7 bounds the achievable MAE from below at about 0.56.
    expect(learnedEvaluation.maeLogViews).to.be.within(0.5, 0.7);
  });

  it('gives an 80 % interval that covers 70-90 % of held-out outcomes', () => {
    expect(learnedEvaluation.intervalCoverage).to.be.within(0.7, 0.9);
  });

  it('recovers the direction of planted effects and ignores a feature without one', () => {
    const coefficient = (name: string) => params.logViews.coefficients[params.columns.indexOf(name)];
    // A platform's effect is spread over its column and its hour and weekday blocks: compare predictions averaged over all slots.
    const onPlatform = (platform: string) =>
      mean(
        Array.from(
          { length: 168 },
          (_, s) => learned.predict({ ...FEATURES, platform, publishHour: s % 24, publishWeekday: 1 + Math.floor(s / 24) }).predictedLogViews,
        ),
      );
    expect(coefficient('quality_score')).to.be.closeTo(1.2, 0.2);
    expect(coefficient('cta_in_first_5s')).to.be.closeTo(0.4, 0.1);
    expect(Math.abs(coefficient('aesthetic_score'))).to.be.lessThan(0.2);
    expect(onPlatform('tiktok') - onPlatform('youtube')).to.be.closeTo(0.8, 0.15);
    expect(params.layout.useFirst3sLoss).to.equal(false);
    expect(params.engagementRate).to.not.equal(undefined);
  });

  it('scores as a percentile of the tenant history, with factors, an interval and an engagement rate', () => {
    const good = learned.predict(FEATURES);
    const poor = learned.predict({ ...FEATURES, qualityScore: 0.05, ctaInFirst5s: false, durationS: 110, publishHour: 5, platform: 'youtube' });
    expect(good.score).to.be.greaterThan(80);
    expect(poor.score).to.be.lessThan(20);
    expect(good.viewsP10).to.be.lessThan(good.predictedViews);
    expect(good.viewsP90).to.be.greaterThan(good.predictedViews);
    expect(good.predictedEngagementRate).to.be.closeTo(0.07, 0.01);
    expect(good.coldStart).to.equal(false);
    expect(good.factors.map((f) => f.factor)).to.deep.equal(['retention', 'engagement', 'quality', 'timing']);
    expect(good.factors.reduce((s, f) => s + f.weight, 0)).to.be.closeTo(1, 1e-9);
    expect(good.factors.find((f) => f.factor === 'quality')!.value).to.be.greaterThan(0.5);
    expect(poor.factors.find((f) => f.factor === 'quality')!.contributionPoints).to.be.lessThan(0);
    // An unseen platform is predicted as an average one, not an error.
    expect(learned.predict({ ...FEATURES, platform: 'x' }).score).to.be.within(0, 100);
  });

  it('explains each prediction exactly: contributions sum to the prediction minus the baseline', () => {
    for (const features of [FEATURES, { ...FEATURES, platform: 'youtube', publishHour: 4, durationS: 110, ctaInFirst5s: false }]) {
      const p = learned.predict(features, { explain: true });
      const sum = p.contributions.reduce((s, c) => s + c.logViews, 0);
      expect(sum).to.be.closeTo(p.predictedLogViews - p.baselineLogViews, 1e-9);
      expect(p.contributions.map((c) => c.feature)).to.include.members(['hour', 'weekday', 'duration', 'quality_score', 'cta_in_first_5s']);
    }
    const evening = learned.predict(FEATURES, { explain: true }).contributions.find((c) => c.feature === 'hour')!;
    expect(evening.logViews).to.be.greaterThan(0.1); // the planted evening peak
    expect(evening.label).to.equal(
      `posted at 18:00 on TikTok: +${evening.logViews.toFixed(2)} log-views ≈ +${(Math.expm1(evening.logViews) * 100).toFixed(0)} % views`,
    );
    const noCta = learned.predict({ ...FEATURES, ctaInFirst5s: false }, { explain: true }).contributions.find((c) => c.feature === 'cta_in_first_5s')!;
    expect(noCta.logViews).to.be.lessThan(0);
    expect(noCta.label).to.match(/^no call to action in the first 5 s: −0\.\d\d log-views ≈ −\d+ % views$/);
  });

  it('is deterministic and survives a JSON round trip', () => {
    expect(fitViralityModel(training)).to.deep.equal(params);
    const reloaded = new ViralityModel(JSON.parse(JSON.stringify(params)));
    expect(reloaded.predict(FEATURES)).to.deep.equal(learned.predict(FEATURES));
  });

  it('uses early-retention signals when most rows have them', () => {
    const early = timeSplit(viralityWorld(7, 2000, { withEarlyLoss: true }));
    const model = fitViralityModel(early.training)!;
    expect(model.layout.useFirst3sLoss).to.equal(true);
    const withSignal = evaluatePredictor(new ViralityModel(model), early.holdout);
    const withoutSignal = evaluatePredictor(
      new ViralityModel(model),
      early.holdout.map(({ first3sLoss: _unused, ...rest }) => rest),
    );
    expect(withSignal.spearman).to.be.greaterThan(withoutSignal.spearman);
  });

  it('needs enough examples', () => {
    expect(fitViralityModel(viralityWorld(1, 59))).to.equal(undefined);
    expect(fitViralityModel(viralityWorld(1, 60))).to.not.equal(undefined);
  });

  it('promotes only a better, adequately evaluated model', () => {
    const learnedScore: ScoredModel = { kind: 'learned', ...learnedEvaluation };
    const formulaScore: ScoredModel = { kind: 'formula', ...formulaEvaluation };
    expect(shouldPromote(learnedScore, formulaScore).promote).to.equal(true);
    expect(shouldPromote(formulaScore, learnedScore).promote).to.equal(false);
    expect(shouldPromote(learnedScore, undefined).promote).to.equal(true);
    expect(shouldPromote({ ...learnedScore, examples: 10 }, formulaScore).reason).to.match(/only 10 hold-out examples/);
    expect(shouldPromote({ ...learnedScore, intervalCoverage: 0.4 }, formulaScore).promote).to.equal(false);
    const worseMae = { ...learnedScore, spearman: learnedScore.spearman + 0.01, maeLogViews: learnedScore.maeLogViews * 1.1 };
    expect(shouldPromote(worseMae, learnedScore).promote).to.equal(false);
    expect(shouldPromote({ ...learnedScore, spearman: learnedScore.spearman + 0.01 }, learnedScore).promote).to.equal(true);
  });

  it('computes the cold-start formula as documented', () => {
    const context: ColdStartContext = {
      views: { p10: 100, median: 1000, p90: 10_000 },
      engagementRateByPlatform: { tiktok: 0.08 },
      expectedCompletionRate: () => 0.6,
      timingValue: () => 1,
    };
    const prediction = coldStartPrediction({ ...FEATURES, first3sLoss: 0.2 }, context);
    const values = Object.fromEntries(prediction.factors.map((f) => [f.factor, f.value]));
    expect(values.retention).to.be.closeTo(0.7, 1e-12); // ½·0.6 + ½·(1 − 0.2)
    expect(values.engagement).to.be.closeTo(0.8, 1e-12); // 0.08 / 0.10
    expect(values.quality).to.be.closeTo(0.7, 1e-12); // (0.8 + 0.6) / 2
    expect(values.timing).to.equal(1);
    const score = 100 * (0.35 * 0.7 + 0.3 * 0.8 + 0.2 * 0.7 + 0.15 * 1);
    expect(prediction.score).to.be.closeTo(score, 1e-9);
    expect(prediction.factors.reduce((s, f) => s + f.contributionPoints, 0)).to.be.closeTo(score, 1e-9);
    expect(prediction.predictedViews).to.be.closeTo(1000 * 2 ** ((score - 50) / 25), 1e-6);
    expect(prediction.viewsP90 / prediction.predictedViews).to.be.closeTo(10, 1e-9);
    expect(prediction.predictedEngagementRate).to.equal(0.08);
    expect(prediction.coldStart).to.equal(true);
    // Defaults: no history predicts no views; neutral timing; the duration prior for completion.
    const bare = coldStartPrediction({ ...FEATURES, durationS: 60 });
    expect(bare.predictedViews).to.equal(0);
    expect(bare.factors.find((f) => f.factor === 'retention')!.value).to.be.closeTo(0.5 * 0.5 + 0.5 * 0.7, 1e-12);
    expect(bare.factors.find((f) => f.factor === 'timing')!.value).to.equal(0.5);
  });

  it('reads percentiles off the history quantiles and solves small SPD systems', () => {
    const quantiles = Array.from({ length: 101 }, (_, i) => i / 10);
    expect(percentileWithin(quantiles, 5)).to.be.closeTo(50, 1e-9);
    expect(percentileWithin(quantiles, 0.25)).to.be.closeTo(2.5, 1e-9);
    expect(percentileWithin(quantiles, -1)).to.equal(0);
    expect(percentileWithin(quantiles, 11)).to.equal(100);
    const x = choleskySolve([4, 2, 0, 2, 5, 3, 0, 3, 6], [2, 8, 9], 3);
    expect(Array.from(x).map((v) => Math.round(v * 1e9) / 1e9)).to.deep.equal([0, 1, 1]);
    expect(() => choleskySolve([1, 2, 2, 1], [1, 1], 2)).to.throw(RangeError);
  });
});
