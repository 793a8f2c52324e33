// Advice through the real learning run and PredictVirality, on both back-ends: planted levers advised the planted
// way, never two advices for one lever and platform on mixed data (the demo world plus the examples' posts), and a
// planned post's suggested changes raise the model's own prediction when applied.
import { expect } from 'chai';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import type { LearningReport, ViralityInput } from '../../src/gen/stakazo/ml/v1/learning.js';
import { generateWorld, type WorldPost } from '../../src/demo/world.js';
import { gaussian, mulberry32 } from '../../src/learning/math/stats.js';
import { deleteTenantTokens, freshTenant, loadPlantedWorld, plantedWorld, TRUTH } from '../helpers/planted-world.js';
import { status } from '@grpc/grpc-js';
import { BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { loadWorld } from '../helpers/world.js';

const show = (report: LearningReport) => process.env.ADVICE_REPORT && console.log(report.recommendations.map((r) => `      ${r.text}`).join('\n'));
const PLATFORMS = [Platform.PLATFORM_TIKTOK, Platform.PLATFORM_INSTAGRAM, Platform.PLATFORM_YOUTUBE];

/**
 * The posts the Python and Go examples register on `day`: 40 each, every 20 minutes from midnight UTC, the Python
 * ones with random features and views, the Go ones with no features at all and views rising with the index.
 */
function examplePosts(day: string, prefix: string): WorldPost[] {
  const random = mulberry32(11);
  const start = Date.parse(`${day}T00:00:00Z`);
  return Array.from({ length: 80 }, (_, k) => {
    const python = k < 40;
    const i = k % 40;
    const platform = PLATFORMS[i % 3];
    const views = python ? Math.round(Math.exp(7 + 0.5 * gaussian(random))) : 800 + 37 * i;
    return {
      postId: `${prefix}-${python ? 'py' : 'go'}-post-${i}`,
      contentId: `${prefix}-${python ? 'py' : 'go'}-content-${i}`,
      platform,
      publishTime: new Date(start + 20 * i * 60_000),
      durationS: python ? 10 + Math.floor(random() * 40) : 10 + (i % 40),
      quality: python ? Math.round(random() * 100) / 100 : 0,
      aesthetic: python ? Math.round(random() * 100) / 100 : 0,
      cta: python ? random() < 0.5 : false,
      captionLength: python ? Math.floor(random() * 150) : 0,
      hashtags: python ? Math.floor(random() * 6) : 0,
      expectedLogViews: Math.log1p(views),
      views,
      first3sLoss: platform === Platform.PLATFORM_INSTAGRAM ? 0.65 : 0.25,
      completion: python ? 0.2 : 0.2 + 0.01 * (i % 10),
      observeTime: new Date(start + 22 * 3_600_000),
    };
  });
}

/** Every advice is one lever on one platform, in plain words, with its effect on each modelled outcome. */
function expectConsistent(report: LearningReport) {
  for (const keys of [report.recommendations.map((r) => `${r.lever}/${r.platform}`), report.recommendations.map((r) => `${r.kind}/${r.platform}`)]) {
    expect(new Set(keys).size, keys.join(', ')).to.equal(keys.length);
  }
  for (const r of report.recommendations) {
    expect(r.lever).to.not.equal('');
    expect(r.currentKey).to.not.equal(r.targetKey);
    expect(r.effects[0].outcome).to.equal('views');
    expect(r.effects[0].liftFractionP10).to.be.at.most(r.effects[0].liftFraction);
    expect(r.text).to.not.match(/log|d =|geometric|p =/);
  }
}

describe(`advice from the models through the learning run (${BACKEND})`, function () {
  this.timeout(300_000);
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(async () => {
    if (server) await deleteTenantTokens(server);
    await server?.stop();
  });

  it('never advises two targets for one lever and platform on mixed data (the demo world plus the examples)', async () => {
    const { metadata } = await freshTenant(server, 'adv');
    const prefix = uniq('mix');
    const demo = generateWorld({ prefix, seed: 7, postsPerDay: 25, startDay: '2022-05-02', days: 8 });
    const lastDay = '2022-05-09';
    const posts = [...demo, ...examplePosts(lastDay, prefix)];
    expect((await loadWorld(server, posts, metadata)).acceptedCount).to.equal(posts.length * 2);
    const { report } = await call(server.learning, server.learning.runDailyLearning, { day: lastDay, force: true }, metadata);
    expect(report!.recommendations[0]?.postsBehind ?? 200).to.be.at.least(200);
    show(report!);
    expectConsistent(report!);
  });

  it('advises the planted call to action and quality, suggests changes that raise a planned post, and follows the settings', async () => {
    const { metadata } = await freshTenant(server, 'adv');
    const world = plantedWorld(5, '2022-06-06', 14, 25);
    expect(await loadPlantedWorld(server, metadata, world)).to.equal(world.length * 2);
    const day = '2022-06-19';
    const { run, report } = await call(server.learning, server.learning.runDailyLearning, { day, force: true }, metadata);
    expectConsistent(report!);
    show(report!);
    const texts = report!.recommendations.map((r) => r.text).join('\n');
    // Half the planted posts have a call to action: one in every post is advised.
    const cta = report!.recommendations.find((r) => r.lever === 'cta_in_first_5s');
    expect(cta?.targetKey, texts).to.equal('true');
    expect(Number(cta!.currentKey)).to.be.within(0.3, 0.7);
    expect(cta!.text).to.match(/^Put a call to action in the first 5 s of every post \(now in \d+ % of posts\): \+\d+ % views \(\+\d+ % to \+\d+ %\)/);
    // The planted peak hour of each platform: an advised band is centred within 2 hours of it.
    const hours = report!.recommendations.filter((r) => r.lever === 'posting_hour');
    expect(hours.length, texts).to.be.greaterThan(0);
    for (const r of hours) {
      const middle = (Number(r.targetKey.split('-')[0]) + 1) % 24;
      const apart = Math.abs(middle - TRUTH.peakHour[r.platform]);
      expect(Math.min(apart, 24 - apart), r.text).to.be.at.most(2);
    }
    const quality = report!.recommendations.find((r) => r.lever === 'quality_score');
    expect(Number(quality?.targetKey), texts).to.be.greaterThan(Number(quality?.currentKey));
    expect(quality!.postsBehind).to.be.within(world.length - 50, world.length);

    // A weak plan: no call to action, low quality, a long video at 04:00 on TikTok.
    const plan: ViralityInput = {
      contentId: '',
      features: { qualityScore: 0.2, aestheticScore: 0.5, captionLengthChars: 80, ctaInFirst5s: false, hashtagCount: 2 },
      durationS: 115,
      platform: Platform.PLATFORM_TIKTOK,
      plannedPublishTime: new Date('2022-06-22T04:10:00Z'),
      timeZone: 'America/New_York',
      postId: '',
      horizonHours: 0,
    };
    const [before] = (await call(server.learning, server.learning.predictVirality, { items: [plan] }, metadata)).predictions;
    expect(before.modelVersion, 'a learned model').to.equal(run!.modelVersions.virality).and.to.not.equal('formula');
    expect(before.suggestedChanges.length).to.be.greaterThan(0);
    for (const change of before.suggestedChanges) {
      const changed: ViralityInput =
        change.lever === 'cta_in_first_5s'
          ? { ...plan, features: { ...plan.features!, ctaInFirst5s: change.targetKey === 'true' } }
          : change.lever === 'quality_score'
            ? { ...plan, features: { ...plan.features!, qualityScore: Number(change.targetKey) } }
            : change.lever === 'duration'
              ? { ...plan, durationS: Number(change.targetKey) }
              : change.lever === 'posting_hour'
                ? {
                    ...plan,
                    plannedPublishTime: new Date(
                      plan.plannedPublishTime!.getTime() + ((Number(change.targetKey) - Number(change.currentKey) + 24) % 24) * 3_600_000,
                    ),
                  }
                : plan;
      if (changed === plan) continue;
      const [after] = (await call(server.learning, server.learning.predictVirality, { items: [changed] }, metadata)).predictions;
      expect(after.predictedViews, change.text).to.be.greaterThan(before.predictedViews);
    }
    if (before.suggestedChanges.some((c) => c.lever === 'cta_in_first_5s')) {
      expect(before.suggestedChanges.find((c) => c.lever === 'cta_in_first_5s')!.targetKey).to.equal('true');
    }

    // The learning settings: the lift worth advising and the primary outcome (a bad one is named).
    const l = server.learning;
    const set = (request: object) => call(l, l.setLearningSettings, request, metadata);
    await expectStatus(set({ adviceMinLiftFraction: -1 }), status.INVALID_ARGUMENT, /advice_min_lift_fraction -1 is outside 0\.\.10/);
    await expectStatus(set({ advicePrimaryOutcome: 'likes' }), status.INVALID_ARGUMENT, /advice_primary_outcome "likes" is not one of/);
    const settings = (await set({ adviceMinLiftFraction: 10, advicePrimaryOutcome: 'completion_rate' })).settings!;
    expect(settings).to.deep.include({ adviceMinLiftFraction: 10, advicePrimaryOutcome: 'completion_rate' });
    expect((await call(l, l.getLearningSettings, {}, metadata)).settings).to.deep.equal(settings);
    // Nothing is worth +1000 %: no advice.
    const again = await call(l, l.runDailyLearning, { day, force: true }, metadata);
    expect(again.report!.recommendations).to.deep.equal([]);
    await set({ adviceMinLiftFraction: 0.05 });
    const onCompletion = await call(l, l.runDailyLearning, { day, force: true }, metadata);
    for (const r of onCompletion.report!.recommendations) {
      expect(r.outcome).to.equal('completion_rate');
      expect(r.effects[0].outcome).to.equal('completion_rate');
    }
  });
});
