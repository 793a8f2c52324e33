// The live-post forecast combines the early views with the pre-publication prediction (issue 29), over gRPC: on
// planted live worlds (content, timing and early-loss effects; posts growing at speeds of their own; training posts
// observed at 1, 3, 6, 24, 72 and 168 h), held-out posts seen for their first 6 h are forecast at 7 days. The
// forecast must rank the final views within each platform at least as well as the few-lines answer of a data
// scientist — a per-platform least-squares stack of [ln early views, out-of-fold pre-publication prediction] fitted
// here — and clearly better than either signal alone; its 80 % interval covers 70–90 % at each observed age.
import type { Metadata } from '@grpc/grpc-js';
import { expect } from 'chai';
import type { ViralityInput, ViralityPrediction } from '../../src/gen/stakazo/ml/v1/learning.js';
import { choleskySolve } from '../../src/learning/math/linear-algebra.js';
import { mean, mulberry32, shuffled, spearman } from '../../src/learning/math/stats.js';
import { fitViralityModel } from '../../src/learning/virality/virality-fit.js';
import { ViralityModel } from '../../src/learning/virality/virality-model.js';
import {
  exampleOf,
  HOUR_MS,
  LIVE_PLATFORMS,
  liveWorld,
  OBSERVED_AGES,
  observe,
  recordsOf,
  registerLivePosts,
  viewsAtAge,
  type LivePost,
} from '../helpers/live-world.js';
import { deleteTenantTokens, freshTenant } from '../helpers/planted-world.js';
import { BACKEND, call, startTestServer, type TestServer } from '../helpers/server.js';

const TRAIN_DAY = '2021-03-01';
const TRAIN_END = Date.parse('2021-03-02T00:00:00Z');
const HELD_OUT_AGES = [1, 3, 6];
// NOTE: judged on three seeds on Postgres; PGlite runs the same pipeline on one of them (the fit and the forecast do
// not depend on the back-end; the embedded database only makes each seed slower).
const SEEDS = BACKEND === 'postgres' ? [101, 202, 303] : [202];
/**
 * The forecast may rank up to this much below the anchor. NOTE: both are fitted least-squares combinations of the
 * same two signals on the same ~160 posts per platform; they differ only in the folds behind the out-of-fold
 * predictions and in the forecast's model choice (growth term by leave-one-out), so the forecast can lose to the
 * anchor by sampling noise alone: a few thousandths of ρ on 100 held-out posts per platform (it usually wins by more,
 * through the growth since half the post's age, which the anchor does not have).
 */
const ANCHOR_TOLERANCE = 0.005;
/** "Clearly above" each single signal: by at least this much ρ. */
const MARGIN_OVER_ONE_SIGNAL = 0.02;
const report = (line: string) => process.env.VIRALITY_REPORT && console.log(`      ${line}`);

/** Mean over the platforms of Spearman ρ between a prediction and the final views within the platform. */
function withinPlatformRho(posts: readonly LivePost[], predicted: readonly number[]): number {
  return mean(
    LIVE_PLATFORMS.map((platform) => {
      const at = posts.flatMap((p, i) => (p.platform === platform ? [i] : []));
      return spearman(
        at.map((i) => predicted[i]),
        at.map((i) => Math.log1p(posts[i].finalViews)),
      );
    }),
  );
}

/** Out-of-fold pre-publication predictions of the training posts: 5 random folds, the service's public fit. */
function outOfFold(seed: number, posts: readonly LivePost[]): number[] {
  const folds = shuffled(
    posts.map((_, i) => i % 5),
    mulberry32(seed),
  );
  const predictions = new Array<number>(posts.length);
  for (let fold = 0; fold < 5; fold++) {
    const model = new ViralityModel(fitViralityModel(posts.filter((_, i) => folds[i] !== fold).map(exampleOf))!);
    posts.forEach((post, i) => {
      if (folds[i] === fold) predictions[i] = model.predict(exampleOf(post)).predictedLogViews;
    });
  }
  return predictions;
}

/** Least squares of y on [1, …columns]: the coefficients. */
function leastSquares(rows: readonly number[][], y: readonly number[]): number[] {
  const p = rows[0].length + 1;
  const gram = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  rows.forEach((row, i) => {
    const x = [1, ...row];
    for (let a = 0; a < p; a++) {
      rhs[a] += x[a] * y[i];
      for (let b = 0; b < p; b++) gram[a * p + b] += x[a] * x[b];
    }
  });
  return Array.from(choleskySolve(gram, rhs, p));
}

describe(`live forecast stacked on the pre-publication prediction (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(async () => {
    await deleteTenantTokens(server);
    await server.stop();
  });

  const predict = (metadata: Metadata, items: ViralityInput[]) =>
    call(server.learning, server.learning.predictVirality, { items }, metadata).then((r) => r.predictions as ViralityPrediction[]);
  const input = (post: LivePost, live: boolean): ViralityInput => ({
    contentId: live ? '' : post.postId,
    features: undefined,
    durationS: 0,
    platform: live ? 0 : post.platform,
    plannedPublishTime: live ? undefined : post.publishTime,
    timeZone: live ? '' : 'UTC',
    postId: live ? post.postId : '',
    horizonHours: 0,
  });

  for (const seed of SEEDS) {
    it(`ranks held-out posts at least as well as the stacked anchor, above either signal, calibrated (seed ${seed})`, async () => {
      const { metadata } = await freshTenant(server, 'stack');
      const training = liveWorld(seed, 260, TRAIN_END - 40 * 24 * HOUR_MS, 30 * 24);
      await registerLivePosts(server, metadata, training);
      await observe(
        server,
        metadata,
        training.flatMap((p) => recordsOf(p, OBSERVED_AGES)),
      );
      const run = await call(server.learning, server.learning.runDailyLearning, { day: TRAIN_DAY, force: true }, metadata);
      expect(run.run?.modelVersions?.virality, 'a learned model serves the pre-publication predictions').to.match(/^v20210301-/);

      const held = liveWorld(seed + 1000, 160, TRAIN_END + 24 * HOUR_MS, 24);
      await registerLivePosts(server, metadata, held);
      const prePublication = (
        await predict(
          metadata,
          held.map((p) => input(p, false)),
        )
      ).map((p) => p.predictedLogViews);
      const oof = outOfFold(seed, training);
      let observed = 0;
      for (const ageH of HELD_OUT_AGES) {
        await observe(
          server,
          metadata,
          held.flatMap((p) =>
            recordsOf(
              p,
              OBSERVED_AGES.filter((a) => a > observed && a <= ageH),
            ),
          ),
        );
        observed = ageH;
        const answers = await predict(
          metadata,
          held.map((p) => input(p, true)),
        );
        for (const a of answers) expect(a.forecast && a.observedAgeHours).to.be.closeTo(ageH, 1e-6);
        const forecast = answers.map((a) => Math.log1p(a.predictedViews));
        const earlyViews = held.map((p) => Math.log1p(viewsAtAge(p, ageH)));
        const anchor = held.map(() => 0);
        for (const platform of LIVE_PLATFORMS) {
          const fitted = training.flatMap((p, i) => (p.platform === platform ? [i] : []));
          const beta = leastSquares(
            fitted.map((i) => [Math.log1p(viewsAtAge(training[i], ageH)), oof[i]]),
            fitted.map((i) => Math.log1p(training[i].finalViews)),
          );
          held.forEach((p, i) => {
            if (p.platform === platform) anchor[i] = beta[0] + beta[1] * earlyViews[i] + beta[2] * prePublication[i];
          });
        }
        const coverage = mean(answers.map((a, i) => (held[i].finalViews >= a.viewsP10 && held[i].finalViews <= a.viewsP90 ? 1 : 0)));
        const rho = {
          forecast: withinPlatformRho(held, forecast),
          anchor: withinPlatformRho(held, anchor),
          prePublication: withinPlatformRho(held, prePublication),
          earlyViews: withinPlatformRho(held, earlyViews),
        };
        report(
          `seed ${seed} age ${ageH} h: rho forecast ${rho.forecast.toFixed(3)}, anchor ${rho.anchor.toFixed(3)}, pre-publication ${rho.prePublication.toFixed(3)}, ` +
            `early views ${rho.earlyViews.toFixed(3)}; coverage ${coverage.toFixed(3)}`,
        );
        expect(coverage, `80 % interval coverage at ${ageH} h`).to.be.within(0.7, 0.9);
        if (ageH !== 6) continue;
        expect(rho.forecast, 'ranks at least as well as the stacked anchor').to.be.at.least(rho.anchor - ANCHOR_TOLERANCE);
        expect(rho.forecast, 'clearly above the pre-publication prediction').to.be.above(rho.prePublication + MARGIN_OVER_ONE_SIGNAL);
        expect(rho.forecast, 'clearly above the early-views nowcast').to.be.above(rho.earlyViews + MARGIN_OVER_ONE_SIGNAL);
      }
    });
  }
});
