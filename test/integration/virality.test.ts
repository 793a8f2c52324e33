// Virality prediction and best time to post over gRPC, on a synthetic world with planted peak hours and outcomes
// driven by known features: cold start, daily retraining and promotion, held-out ranking and interval, bad input.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import { TimingMetric, type GetBestTimeToPostRequest, type ViralityInput, type ViralityPrediction } from '../../src/gen/stakazo/ml/v1/learning.js';
import { contentOf, postOf } from '../../src/demo/world.js';
import { spearman } from '../../src/learning/math/stats.js';
import { localTime } from '../../src/domain/time-zone.js';
import { messagesOf, streamAll } from '../helpers/metrics-fixtures.js';
import { BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { generateWorld, PLANTED, recordsOf, type WorldPost } from '../helpers/world.js';

// NOTE: tests share one database per run and use the default tenant: this file owns publications from 2020-06 to
// 2021-06 (the training window reads only those) and the tenant's "virality" model rows.
const ZONE = 'America/New_York';
const WINDOW = { from: '2020-06-01T00:00:00Z', to: '2021-06-01T00:00:00Z' };
const START_DAY = '2021-01-04';
const TRAIN_DAY = '2021-02-24';
const EARLIER_DAY = '2021-02-20';
/** Publications from here on are never trained on: the held-out content of the test. */
const HELD_OUT_FROM = new Date('2021-02-26T00:00:00Z');
const WORLD_END = new Date('2021-03-05T00:00:00Z');
const PLATFORMS = [Platform.PLATFORM_TIKTOK, Platform.PLATFORM_INSTAGRAM, Platform.PLATFORM_YOUTUBE];
const FORMULA_WEIGHTS = { retention: 0.35, engagement: 0.3, quality: 0.2, timing: 0.15 };
const report = (line: string) => process.env.VIRALITY_REPORT && console.log(`      ${line}`);

/** Registers content and posts (posts in the audience's zone), then streams their records. */
async function loadWorldInZone(server: TestServer, posts: WorldPost[], timeZone: string): Promise<number> {
  const register = async (post: WorldPost) => {
    await call(server.metrics, server.metrics.registerContent, { content: contentOf(post) });
    await call(server.metrics, server.metrics.registerPost, { post: { ...postOf(post), timeZone } });
  };
  for (let i = 0; i < posts.length; i += 32) await Promise.all(posts.slice(i, i + 32).map(register));
  return (await streamAll(server.metrics, messagesOf(posts.flatMap(recordsOf), 500))).acceptedCount;
}

const byContent = (post: WorldPost): ViralityInput => ({
  postId: '',
  horizonHours: 0,
  contentId: post.contentId,
  features: undefined,
  durationS: 0,
  platform: post.platform,
  plannedPublishTime: post.publishTime,
  timeZone: ZONE,
});

const byFeatures = (overrides: Partial<ViralityInput> = {}): ViralityInput => ({
  postId: '',
  horizonHours: 0,
  contentId: '',
  features: { qualityScore: 0.8, aestheticScore: 0.6, captionLengthChars: 80, ctaInFirst5s: true, hashtagCount: 3 },
  durationS: 22,
  platform: Platform.PLATFORM_TIKTOK,
  plannedPublishTime: new Date('2021-03-05T00:10:00Z'), // 19:10 in New York: TikTok's planted peak
  timeZone: ZONE,
  ...overrides,
});

const bestTimeRequest = (overrides: Partial<GetBestTimeToPostRequest> = {}): GetBestTimeToPostRequest => ({
  platform: Platform.PLATFORM_TIKTOK,
  timeZone: ZONE,
  lookbackDays: 60,
  metric: TimingMetric.TIMING_METRIC_VIEWS,
  afterTime: WORLD_END,
  ...overrides,
});

/** Spearman ρ of predicted vs actual views, and the share of actual views inside p10..p90. */
function heldOutFigures(posts: readonly WorldPost[], predictions: readonly ViralityPrediction[]) {
  const rho = spearman(
    predictions.map((p) => Math.log1p(p.predictedViews)),
    posts.map((p) => Math.log1p(p.views)),
  );
  const covered = posts.filter((post, i) => post.views >= predictions[i].viewsP10 && post.views <= predictions[i].viewsP90).length;
  return { rho, coverage: covered / posts.length };
}

describe(`virality and best time to post (${BACKEND})`, () => {
  let server: TestServer;
  let world: WorldPost[];
  let heldOut: WorldPost[];
  let formulaRho: number;
  let learnedVersion: string;

  before(async () => {
    server = await startTestServer();
    const knex = server.running.db.knex;
    await knex.raw(`delete from learned_models where tenant_id = 'default' and model_name = 'virality'`);
    await knex.raw(`delete from learning_runs where tenant_id = 'default' and day >= ?::date and day < ?::date`, [WINDOW.from, WINDOW.to]);
    await knex.raw(
      `delete from content where tenant_id = 'default' and content_id in (
         select content_id from posts where tenant_id = 'default' and published_at >= ? and published_at < ?)`,
      [WINDOW.from, WINDOW.to],
    );
    world = generateWorld({ prefix: uniq('vw'), seed: 11, postsPerDay: 60, days: 60, startDay: START_DAY, timeZone: ZONE });
    expect(await loadWorldInZone(server, world, ZONE)).to.equal(world.length * 2);
    heldOut = world.filter((p) => p.publishTime >= HELD_OUT_FROM);
  });
  after(async () => server?.stop());

  it('rejects bad input with clear statuses', async () => {
    const predict = (items: ViralityInput[]) => call(server.learning, server.learning.predictVirality, { items });
    await expectStatus(
      predict([byFeatures(), byContent({ ...world[0], contentId: 'no-such-content' })]),
      status.NOT_FOUND,
      /content "no-such-content" \(items\[1\]\.content_id\) not found/,
    );
    await expectStatus(predict([byFeatures({ platform: 42 as Platform })]), status.INVALID_ARGUMENT, /items\[0\]\.platform 42 is not a known platform/);
    await expectStatus(predict([byFeatures({ platform: Platform.PLATFORM_UNSPECIFIED })]), status.INVALID_ARGUMENT, /items\[0\]\.platform is required/);
    await expectStatus(
      predict([byFeatures({ timeZone: 'Mars/Olympus_Mons' })]),
      status.INVALID_ARGUMENT,
      /time_zone "Mars\/Olympus_Mons" is not an IANA time zone/,
    );
    await expectStatus(predict([byFeatures({ durationS: 0 })]), status.INVALID_ARGUMENT, /items\[0\]\.duration_s is 0/);
    await expectStatus(predict([byFeatures({ features: undefined })]), status.INVALID_ARGUMENT, /neither content_id nor features/);
    await expectStatus(predict([]), status.INVALID_ARGUMENT, /items is empty/);
    await expectStatus(predict(Array.from({ length: 1001 }, () => byFeatures())), status.INVALID_ARGUMENT, /1001 entries; at most 1000/);

    const bestTime = (overrides: Partial<GetBestTimeToPostRequest>) => call(server.learning, server.learning.getBestTimeToPost, bestTimeRequest(overrides));
    await expectStatus(bestTime({ platform: Platform.PLATFORM_UNSPECIFIED }), status.INVALID_ARGUMENT, /platform is required/);
    await expectStatus(bestTime({ platform: 9 as Platform }), status.INVALID_ARGUMENT, /platform 9 is not a known platform/);
    await expectStatus(bestTime({ timeZone: 'Europe/Atlantis' }), status.INVALID_ARGUMENT, /time_zone "Europe\/Atlantis" is not an IANA time zone/);
    await expectStatus(bestTime({ lookbackDays: 366 }), status.INVALID_ARGUMENT, /lookback_days 366 is outside 1\.\.365/);
    await expectStatus(bestTime({ metric: 7 as TimingMetric }), status.INVALID_ARGUMENT, /metric 7 is not a known metric/);
  });

  it('predicts with the cold-start formula before any training (35/30/20/15)', async () => {
    const { predictions } = await call(server.learning, server.learning.predictVirality, {
      items: [byFeatures(), byFeatures({ platform: Platform.PLATFORM_YOUTUBE })],
    });
    expect(predictions).to.have.length(2);
    const [first] = predictions;
    expect(first.index).to.equal(0);
    expect(predictions[1].index).to.equal(1);
    expect(first.coldStart).to.equal(true);
    expect(first.modelVersion).to.equal('formula');
    expect(Object.fromEntries(first.factors.map((f) => [f.factor, f.weight]))).to.deep.equal(FORMULA_WEIGHTS);
    for (const f of first.factors) expect(f.contributionPoints).to.be.closeTo(100 * f.weight * f.value, 1e-9);
    expect(first.score).to.be.closeTo(
      first.factors.reduce((s, f) => s + f.contributionPoints, 0),
      1e-9,
    );
    expect(first.boostRecommended).to.equal(first.score >= server.config.boostThreshold);
    expect(first.viewsP10).to.be.lessThan(first.predictedViews);
    expect(first.viewsP90).to.be.greaterThan(first.predictedViews);
    // The planned slot is TikTok's planted peak: the timing factor (from the best-time grid) is far above 04:00's.
    const night = await call(server.learning, server.learning.predictVirality, {
      items: [byFeatures({ plannedPublishTime: new Date('2021-03-05T09:10:00Z') })],
    });
    const timing = (p: ViralityPrediction) => p.factors.find((f) => f.factor === 'timing')!.value;
    expect(timing(first)).to.be.greaterThan(timing(night.predictions[0]) + 0.3);
    expect(first.score).to.be.greaterThan(night.predictions[0].score);
    expect(first.platformRecommendations.map((r) => r.platform).sort()).to.deep.equal([...PLATFORMS].sort());
    expect(first.platformRecommendations[0].text).to.match(/is the best platform for this content/);

    // The formula's ranking of held-out content, for the comparison with the learned model below.
    const cold = await call(server.learning, server.learning.predictVirality, { items: heldOut.map(byContent) });
    expect(cold.predictions.every((p) => p.coldStart)).to.equal(true);
    formulaRho = heldOutFigures(heldOut, cold.predictions).rho;
  });

  it('puts the planted peak hour in the top 3 of each platform, in the audience time zone', async () => {
    for (const platform of PLATFORMS) {
      const answer = await call(server.learning, server.learning.getBestTimeToPost, bestTimeRequest({ platform }));
      const peak = PLANTED.peakHour[platform];
      expect(answer.topHours, `top hours of platform ${platform}`).to.include(peak);
      expect(
        answer.topSlots.some((s) => s.hour === peak),
        `a top slot at ${peak}:00`,
      ).to.equal(true);
      expect(answer.cells).to.have.length(168);
      const expected = world.filter(
        (p) => p.platform === platform && p.publishTime >= new Date(WORLD_END.getTime() - 60 * 86_400_000) && p.observeTime < WORLD_END,
      );
      expect(answer.sampleSize).to.equal(expected.length);
      expect(answer.cells.reduce((s, c) => s + c.sampleSize, 0)).to.equal(expected.length);
      expect(answer.confidence).to.be.greaterThan(0.5);
      // The next best slot is a top slot, in New York time, after the requested time.
      const next = answer.nextBestSlotTime!;
      expect(next.getTime()).to.be.greaterThan(WORLD_END.getTime());
      const local = localTime(next, ZONE);
      expect(answer.topSlots.some((s) => s.weekday === local.weekday && s.hour === local.hour)).to.equal(true);
      report(
        `best time platform ${platform}: top hours ${answer.topHours.join(', ')}, confidence ${answer.confidence.toFixed(3)} over ${answer.sampleSize} posts`,
      );
    }
    const engagement = await call(server.learning, server.learning.getBestTimeToPost, bestTimeRequest({ metric: TimingMetric.TIMING_METRIC_ENGAGEMENT_RATE }));
    expect(engagement.platformMean).to.be.within(0.05, 0.12);
  });

  it('is less confident with one week of data than with two months', async () => {
    for (const platform of PLATFORMS) {
      const week = await call(server.learning, server.learning.getBestTimeToPost, bestTimeRequest({ platform, lookbackDays: 7 }));
      const months = await call(server.learning, server.learning.getBestTimeToPost, bestTimeRequest({ platform, lookbackDays: 0 }));
      expect(week.sampleSize).to.be.lessThan(months.sampleSize);
      expect(week.confidence, `platform ${platform}`).to.be.lessThan(months.confidence);
      report(
        `confidence platform ${platform}: one week ${week.confidence.toFixed(3)} (${week.sampleSize} posts), two months ${months.confidence.toFixed(3)} (${months.sampleSize} posts)`,
      );
    }
  });

  it('answers too little data with zero confidence and its sample size, never a made-up peak', async () => {
    const none = await call(server.learning, server.learning.getBestTimeToPost, bestTimeRequest({ platform: Platform.PLATFORM_FACEBOOK }));
    expect(none.sampleSize).to.equal(0);
    expect(none.confidence).to.equal(0);
    expect(none.topHours).to.deep.equal([]);
    expect(none.topSlots).to.deep.equal([]);
    expect(none.nextBestSlotTime).to.equal(undefined);
    // The first posts of the world: a day with a handful of observed TikTok posts.
    const afterTime = new Date('2021-01-05T02:00:00Z');
    const few = await call(server.learning, server.learning.getBestTimeToPost, bestTimeRequest({ lookbackDays: 1, afterTime }));
    const expected = world.filter((p) => p.platform === Platform.PLATFORM_TIKTOK && p.observeTime < afterTime).length;
    expect(expected).to.be.within(1, 9);
    expect(few.sampleSize).to.equal(expected);
    expect(few.confidence).to.equal(0);
    expect(few.topHours).to.deep.equal([]);
    expect(few.topWeekdays).to.deep.equal([]);
  });

  it('trains in the daily run, promotes a model that ranks held-out content better than the formula, with an honest interval', async () => {
    const { run } = await call(server.learning, server.learning.runDailyLearning, { day: TRAIN_DAY, force: true });
    learnedVersion = run!.modelVersions.virality;
    expect(learnedVersion).to.match(/^v20210224-[0-9a-f]{8}$/);
    expect(run!.modelVersions.virality_trained).to.equal(learnedVersion);
    expect(run!.modelVersions.best_time).to.equal('live');

    const stored = await server.running.db.knex.raw(
      `select version, promoted, evaluation from learned_models where tenant_id = 'default' and model_name = 'virality'`,
    );
    expect(stored.rows).to.have.length(1);
    const { evaluation } = stored.rows[0];
    expect(stored.rows[0].promoted).to.equal(true);
    expect(evaluation.learned.spearman).to.be.greaterThan(evaluation.formula.spearman);
    expect(evaluation.learned.intervalCoverage).to.be.within(0.7, 0.9);
    expect(evaluation.decision.promote).to.equal(true);
    report(
      `stored hold-out (${evaluation.holdout.examples}): ρ learned ${evaluation.learned.spearman.toFixed(3)} vs formula ${evaluation.formula.spearman.toFixed(3)}, MAE ${evaluation.learned.maeLogViews.toFixed(3)} vs ${evaluation.formula.maeLogViews.toFixed(3)}, coverage ${evaluation.learned.intervalCoverage.toFixed(3)}`,
    );

    // Content published after the training day, predicted through gRPC.
    const { predictions } = await call(server.learning, server.learning.predictVirality, { items: heldOut.map(byContent) });
    expect(predictions.every((p) => !p.coldStart && p.modelVersion === learnedVersion)).to.equal(true);
    const learned = heldOutFigures(heldOut, predictions);
    expect(learned.rho).to.be.greaterThan(formulaRho + 0.1);
    expect(learned.coverage).to.be.within(0.7, 0.9);
    report(
      `gRPC held-out (${heldOut.length}): ρ learned ${learned.rho.toFixed(3)} vs formula ${formulaRho.toFixed(3)}, coverage ${learned.coverage.toFixed(3)}`,
    );
  });

  it('scores as a percentile of the tenant history, with learned factors and per-platform recommendations', async () => {
    const good = byFeatures({ features: { qualityScore: 0.95, aestheticScore: 0.5, captionLengthChars: 80, ctaInFirst5s: true, hashtagCount: 3 } });
    const poor = byFeatures({
      features: { qualityScore: 0.05, aestheticScore: 0.5, captionLengthChars: 80, ctaInFirst5s: false, hashtagCount: 3 },
      plannedPublishTime: new Date('2021-03-05T09:00:00Z'),
    });
    const { predictions } = await call(server.learning, server.learning.predictVirality, { items: [good, poor] });
    const [high, low] = predictions;
    expect(high.score).to.be.greaterThan(80);
    expect(low.score).to.be.lessThan(20);
    expect(high.boostRecommended).to.equal(true);
    expect(low.boostRecommended).to.equal(false);
    expect(high.factors.reduce((s, f) => s + f.weight, 0)).to.be.closeTo(1, 1e-9);
    expect(high.factors.find((f) => f.factor === 'quality')!.contributionPoints).to.be.greaterThan(0);
    expect(low.factors.find((f) => f.factor === 'quality')!.contributionPoints).to.be.lessThan(0);
    expect(high.platformRecommendations).to.have.length(3);
    const scores = high.platformRecommendations.map((r) => r.score);
    expect(scores).to.deep.equal([...scores].sort((a, b) => b - a));
  });

  it('retrains deterministically, keeps every version, and never promotes an older day over a newer model', async () => {
    const again = await call(server.learning, server.learning.runDailyLearning, { day: TRAIN_DAY, force: true });
    expect(again.run!.modelVersions.virality_trained).to.equal(learnedVersion);
    const older = await call(server.learning, server.learning.runDailyLearning, { day: EARLIER_DAY, force: true });
    expect(older.run!.modelVersions.virality_trained).to.match(/^v20210220-/);
    expect(older.run!.modelVersions.virality).to.equal(learnedVersion);
    const stored = await server.running.db.knex.raw(
      `select version, promoted, evaluation from learned_models where tenant_id = 'default' and model_name = 'virality' order by version`,
    );
    expect(stored.rows.map((r: { version: string }) => r.version)).to.deep.equal([older.run!.modelVersions.virality_trained, learnedVersion]);
    expect(stored.rows.filter((r: { promoted: boolean }) => r.promoted).map((r: { version: string }) => r.version)).to.deep.equal([learnedVersion]);
    expect(stored.rows[0].evaluation.decision.promote).to.equal(false);
  });
});
