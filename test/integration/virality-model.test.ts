// The learned virality model against a plain one-hot ridge fitted here on the same posts (same split), on planted
// worlds of several seeds fed through the real RPCs: it must rank held-out posts within each platform at least as
// well (Spearman ρ against the planted truth), explain each prediction exactly, and find the planted best weekday
// and hour for GetBestTimeToPost, ordering weekdays better than raw cell means (confounded by the hour mix).
import { expect } from 'chai';
import { TimingMetric, type ViralityInput } from '../../src/gen/stakazo/ml/v1/learning.js';
import { choleskySolve } from '../../src/learning/math/linear-algebra.js';
import { mean, spearman } from '../../src/learning/math/stats.js';
import { BACKEND, call, startTestServer, type TestServer } from '../helpers/server.js';
import {
  deleteTenantTokens,
  freshTenant,
  loadPlantedWorld,
  plantedWorld,
  PLANTED_PLATFORMS,
  TRUTH,
  withinPlatformRho,
  type PlantedPost,
} from '../helpers/planted-world.js';

const START_DAY = '2021-01-04';
const DAYS = 70;
const TRAIN_DAY = '2021-03-07'; // day 62: the last 7 days are never trained on
// NOTE: the claim is judged on three seeds on Postgres; PGlite runs the same pipeline on one of them (the fit does
// not depend on the back-end, and each seed costs ~30 s of CPU in the embedded database).
const SEEDS = BACKEND === 'postgres' ? [101, 202, 303] : [202];
const report = (line: string) => process.env.VIRALITY_REPORT && console.log(`      ${line}`);

/** The plain one-hot ridge: hour × platform, weekday × platform, content features, duration and duration². */
function plainRow(post: PlantedPost): number[] {
  const row = new Array<number>(PLANTED_PLATFORMS.length * 31 + 7).fill(0);
  const p = PLANTED_PLATFORMS.indexOf(post.platform);
  row[p * 24 + post.hour] = 1;
  row[PLANTED_PLATFORMS.length * 24 + p * 7 + post.weekday - 1] = 1;
  const c = PLANTED_PLATFORMS.length * 31;
  [post.quality, post.aesthetic, post.cta ? 1 : 0, post.captionLength, post.hashtags, post.durationS, post.durationS ** 2].forEach((v, k) => {
    row[c + k] = v;
  });
  return row;
}

/** Standardised ridge with λ (relative to n) chosen on the newest 20 % of the training posts, refitted on all. */
function fitPlainRidge(training: readonly PlantedPost[]): (post: PlantedPost) => number {
  const fitOn = (posts: readonly PlantedPost[], lambda: number) => {
    const rows = posts.map(plainRow);
    const y = posts.map((p) => Math.log1p(p.views));
    const k = rows[0].length;
    const means = Array.from({ length: k }, (_, j) => mean(rows.map((r) => r[j])));
    const scales = means.map((m, j) => Math.sqrt(mean(rows.map((r) => (r[j] - m) ** 2))) || 1);
    const z = rows.map((r) => r.map((v, j) => (v - means[j]) / scales[j]));
    const yMean = mean(y);
    const gram = new Float64Array(k * k);
    const moment = new Float64Array(k);
    z.forEach((r, i) => {
      for (let a = 0; a < k; a++) {
        moment[a] += r[a] * (y[i] - yMean);
        for (let b = 0; b < k; b++) gram[a * k + b] += r[a] * r[b];
      }
    });
    for (let a = 0; a < k; a++) gram[a * k + a] += lambda * posts.length;
    const beta = choleskySolve(gram, moment, k);
    return (post: PlantedPost) => yMean + plainRow(post).reduce((s, v, j) => s + ((v - means[j]) / scales[j]) * beta[j], 0);
  };
  const cut = Math.round(training.length * 0.8);
  let best = { lambda: 0, error: Infinity };
  for (const lambda of [1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3]) {
    const predict = fitOn(training.slice(0, cut), lambda);
    const error = training.slice(cut).reduce((s, p) => s + (Math.log1p(p.views) - predict(p)) ** 2, 0);
    if (error < best.error) best = { lambda, error };
  }
  return fitOn(training, best.lambda);
}

const input = (post: PlantedPost): ViralityInput => ({
  postId: '',
  horizonHours: 0,
  contentId: post.contentId,
  features: undefined,
  durationS: 0,
  platform: post.platform,
  plannedPublishTime: post.publishTime,
  timeZone: post.timeZone,
});

describe(`virality model against a plain one-hot ridge (${BACKEND})`, () => {
  let server: TestServer;
  const margins: number[] = [];
  const topHourExact: boolean[] = [];
  const weekdayOrder: { model: number; raw: number }[] = [];
  before(async () => (server = await startTestServer()));
  after(async () => {
    report(`margins: ${margins.map((m) => m.toFixed(4)).join(', ')}`);
    report(`top hour exactly the planted peak in ${topHourExact.filter(Boolean).length} of ${topHourExact.length}`);
    if (server) await deleteTenantTokens(server);
    await server?.stop();
  });

  for (const seed of SEEDS) {
    it(`ranks held-out posts at least as well as the plain ridge (seed ${seed})`, async function () {
      this.timeout(900_000);
      const { tenantId, metadata } = await freshTenant(server, 'vm');
      const world = plantedWorld(seed, START_DAY, DAYS, 30);
      expect(await loadPlantedWorld(server, metadata, world)).to.equal(world.length * 2);
      const run = await call(server.learning, server.learning.runDailyLearning, { day: TRAIN_DAY, force: true }, metadata);
      const version = run.run!.modelVersions.virality;
      expect(version, 'a promoted model').to.match(/^v20210307-/);
      const stored = await server.running.db.knex.raw(
        `select params->>'trainedTo' as "trainedTo", evaluation from learned_models where tenant_id = ? and version = ?`,
        [tenantId, version],
      );
      const trainedTo = Date.parse(stored.rows[0].trainedTo);
      // The same split: the plain ridge sees exactly the posts the model was trained on.
      const training = world.filter((p) => p.publishTime.getTime() <= trainedTo);
      expect(training.length).to.equal(stored.rows[0].evaluation.trainingExamples);
      const heldOut = world.filter((p) => p.publishTime.getTime() >= Date.parse(`${TRAIN_DAY}T00:00:00Z`) + 86_400_000);
      const plain = fitPlainRidge(training);
      const { predictions } = await call(server.learning, server.learning.predictVirality, { items: heldOut.map(input) }, metadata);
      expect(predictions.every((p) => p.modelVersion === version && !p.coldStart)).to.equal(true);
      // Exact explanations: the contributions sum to the prediction minus the baseline, largest first, in words.
      for (const p of predictions) {
        const sum = p.contributions.reduce((s, c) => s + c.logViews, 0);
        expect(sum).to.be.closeTo(p.predictedLogViews - p.baselineLogViews, 1e-9);
        expect(p.predictedLogViews).to.be.closeTo(Math.log1p(p.predictedViews), 1e-9);
        const sizes = p.contributions.map((c) => Math.abs(c.logViews));
        expect(sizes).to.deep.equal([...sizes].sort((a, b) => b - a));
        const hour = p.contributions.find((c) => c.feature === 'hour')!;
        expect(hour.label).to.match(/^posted at \d\d:00 on (TikTok|Instagram|YouTube): [+−]\d+\.\d\d log-views ≈ [+−]\d+ % views$/);
      }
      const model = withinPlatformRho(
        heldOut,
        predictions.map((p) => Math.log1p(p.predictedViews)),
      );
      const baseline = withinPlatformRho(heldOut, heldOut.map(plain));
      margins.push(model - baseline);
      report(
        `seed ${seed}: ${training.length} training, ${heldOut.length} held-out; within-platform ρ model ${model.toFixed(4)} vs plain ridge ${baseline.toFixed(4)} (margin ${(model - baseline).toFixed(4)})`,
      );
      expect(model).to.be.at.least(baseline);

      // Best time from the model: the planted best weekday and hour in the top slot; weekdays ordered better than
      // the raw weekday means of the same window (posts in their own zones).
      const after = new Date(`${TRAIN_DAY}T23:59:59Z`);
      for (const platform of PLANTED_PLATFORMS) {
        const answer = await call(
          server.learning,
          server.learning.getBestTimeToPost,
          { platform, timeZone: 'UTC', lookbackDays: 60, metric: TimingMetric.TIMING_METRIC_VIEWS, afterTime: after },
          metadata,
        );
        expect(answer.source).to.equal(`model:${version}`);
        expect(answer.cells).to.have.length(168);
        expect(answer.hourEffects).to.have.length(24);
        expect(answer.weekdayEffects).to.have.length(7);
        for (const e of [...answer.hourEffects, ...answer.weekdayEffects]) expect(e.effectP10).to.be.below(e.effect).and.below(e.effectP90);
        const truthWeekdays = TRUTH.weekday[platform];
        const bestWeekday = truthWeekdays.indexOf(Math.max(...truthWeekdays)) + 1;
        const peak = TRUTH.peakHour[platform];
        const top = answer.topSlots[0];
        const hourMiss = Math.min(Math.abs(top.hour - peak), 24 - Math.abs(top.hour - peak));
        topHourExact.push(hourMiss === 0);
        expect(top.weekday, `platform ${platform} top weekday`).to.equal(bestWeekday);
        expect(hourMiss, `platform ${platform} top hour ${top.hour} vs planted ${peak}`).to.be.at.most(1);
        expect(answer.confidence).to.be.within(0.9, 1);
        const window = world.filter((p) => p.platform === platform && p.publishTime < after && p.publishTime.getTime() >= after.getTime() - 60 * 86_400_000);
        const raw = [1, 2, 3, 4, 5, 6, 7].map((w) => mean(window.filter((p) => p.weekday === w).map((p) => Math.log1p(p.views))));
        const modelOrder = spearman(
          answer.weekdayEffects.map((e) => e.effect),
          truthWeekdays,
        );
        const rawOrder = spearman(raw, truthWeekdays);
        weekdayOrder.push({ model: modelOrder, raw: rawOrder });
        report(
          `  best time platform ${platform}: top slot weekday ${top.weekday} hour ${top.hour} (planted ${bestWeekday}, ${peak}), confidence ${answer.confidence.toFixed(3)}; weekday ρ model ${modelOrder.toFixed(3)} vs raw means ${rawOrder.toFixed(3)}`,
        );
      }
    });
  }

  it('orders weekdays better than raw weekday means, over all seeds and platforms', function () {
    if (weekdayOrder.length < SEEDS.length * PLANTED_PLATFORMS.length) this.skip();
    const model = mean(weekdayOrder.map((o) => o.model));
    const raw = mean(weekdayOrder.map((o) => o.raw));
    report(
      `weekday order ρ vs planted: model ${model.toFixed(3)}, raw means ${raw.toFixed(3)}; model better in ${weekdayOrder.filter((o) => o.model > o.raw).length} of ${weekdayOrder.length}`,
    );
    expect(model).to.be.greaterThan(raw);
  });
});
