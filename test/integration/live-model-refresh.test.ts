// Models that follow the stream (issue 29): after the daily run, a week of outcomes in which TikTok's peak hour
// moves from 18:00 to 08:00 is streamed; a refresh (triggered in-process, as the MODEL_REFRESH_INTERVAL timer does)
// folds it into the fit's sufficient statistics, and before any daily run PredictVirality's best hour moves toward
// the new peak, answered by the refreshed version named with its watermark. Each post counts once: re-sent
// records and later observations of a counted post do not add it again; two refreshers at once commit one refresh.
import type { Metadata } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import type { ViralityInput } from '../../src/gen/stakazo/ml/v1/learning.js';
import { HOUR_MS, liveWorld, OBSERVED_AGES, observe, recordsOf, registerLivePosts, streamRecords } from '../helpers/live-world.js';
import { deleteTenantTokens, freshTenant } from '../helpers/planted-world.js';
import { BACKEND, call, startTestServer, type TestServer } from '../helpers/server.js';

const TRAIN_DAY = '2021-03-01';
const TRAIN_END = Date.parse('2021-03-02T00:00:00Z');
const NEW_PEAK = 8;
const report = (line: string) => process.env.VIRALITY_REPORT && console.log(`      ${line}`);

describe(`virality model refreshed from the stream (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(async () => {
    await deleteTenantTokens(server);
    await server.stop();
  });

  /** Predicted ln views of one TikTok item at each UTC hour of a day after the stream; and the version that answered. */
  async function hourlyPredictions(metadata: Metadata) {
    const day = TRAIN_END + 10 * 24 * HOUR_MS;
    const items: ViralityInput[] = Array.from({ length: 24 }, (_, hour) => ({
      contentId: '',
      features: { qualityScore: 0.5, aestheticScore: 0.5, captionLengthChars: 40, ctaInFirst5s: true, hashtagCount: 2 },
      durationS: 25,
      platform: Platform.PLATFORM_TIKTOK,
      plannedPublishTime: new Date(day + hour * HOUR_MS),
      timeZone: 'UTC',
      postId: '',
      horizonHours: 0,
    }));
    const { predictions } = await call(server.learning, server.learning.predictVirality, { items }, metadata);
    return { logViews: predictions.map((p) => p.predictedLogViews), version: predictions[0].modelVersion };
  }

  it('moves the best hour toward the new peak before any daily run, counting each post once', async () => {
    const { tenantId, metadata } = await freshTenant(server, 'refresh');
    const training = liveWorld(7, 260, TRAIN_END - 40 * 24 * HOUR_MS, 30 * 24);
    await registerLivePosts(server, metadata, training);
    await observe(
      server,
      metadata,
      training.flatMap((p) => recordsOf(p, OBSERVED_AGES)),
    );
    const run = await call(server.learning, server.learning.runDailyLearning, { day: TRAIN_DAY, force: true }, metadata);
    const daily = run.run!.modelVersions.virality;
    expect(daily).to.match(/^v20210301-/);
    const before = await hourlyPredictions(metadata);
    expect(before.version).to.equal(daily);

    const week = liveWorld(8, 300, TRAIN_END, 7 * 24, { [Platform.PLATFORM_TIKTOK]: NEW_PEAK });
    await registerLivePosts(server, metadata, week);
    await observe(
      server,
      metadata,
      week.flatMap((p) => recordsOf(p, [1, 3, 6, 24])),
    );
    const refresher = server.running.services.refresher;
    // The watermark is an observation time: the stream's records are of 2021, so the refresh is asked at its end.
    const now = new Date(TRAIN_END + 8 * 24 * HOUR_MS);
    // Two refreshers at once (as two replicas would): one commits, the other finds the state moved or locked.
    const results = await Promise.all([refresher.refresh(tenantId, now), refresher.refresh(tenantId, now)]);
    const refreshed = results.filter((r) => r !== undefined);
    expect(refreshed, 'exactly one refresh committed').to.have.length(1);
    const [first] = refreshed;
    expect(first!.counted, 'every post once').to.equal(training.length + week.length);
    expect(first!.version).to.match(/^v20210301-[0-9a-f]{8}\+r\d{8}T\d{6}Z$/);

    const after = await hourlyPredictions(metadata);
    expect(after.version, 'the refreshed version answers').to.equal(first!.version);
    const gain = (p: { logViews: number[] }) => p.logViews[NEW_PEAK] - p.logViews[18];
    expect(gain(after), 'the new peak gained on the old one').to.be.above(gain(before));
    report(`gain of 08:00 over 18:00: ${gain(before).toFixed(3)} → ${gain(after).toFixed(3)}; hourly before ${before.logViews.map((v) => v.toFixed(2))}`);

    // Re-sent records are duplicates; later observations of counted posts update them without counting them again.
    const resent = await streamRecords(
      server,
      metadata,
      week.flatMap((p) => recordsOf(p, [1, 3])),
    );
    expect(resent.duplicateCount).to.equal(week.length * 2);
    await observe(
      server,
      metadata,
      week.flatMap((p) => recordsOf(p, [72])),
    );
    const second = await refresher.refresh(tenantId, new Date(TRAIN_END + 11 * 24 * HOUR_MS));
    // NOTE: observations older than the last watermark (late arrivals) wait for the daily refit.
    const late = week.filter((p) => p.publishTime.getTime() + 72 * HOUR_MS < now.getTime()).length;
    expect(second!.outcomes).to.equal(week.length - late);
    expect(second!.counted, 'still every post once').to.equal(training.length + week.length);
  });
});
