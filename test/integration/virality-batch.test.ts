// PredictVirality of many cold-start items planned on different days reads the posts behind all their timing grids
// in a bounded number of SQL statements (was: one per platform × zone × day), with the same answers as predicting
// each item alone. Statements are counted by wrapping the real repository: every query of ViralityRepository and
// BestTimeRepository goes through its one `rows` method.
import { expect } from 'chai';
import { loadBestTime } from '../../src/learning/best-time/best-time.service.js';
import { TIMING_LOOKBACK_DAYS, ViralityCacheService } from '../../src/learning/virality/virality-cache.service.js';
import { BestTimeRepository } from '../../src/learning/best-time/best-time.repository.js';
import { ViralityRepository } from '../../src/learning/virality/virality.repository.js';
import { ViralityService } from '../../src/learning/virality/virality.service.js';
import type { ViralityItem } from '../../src/learning/virality/virality.types.js';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { BACKEND, bearer, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { generateWorld, loadWorld } from '../helpers/world.js';

const ZONES = ['UTC', 'America/New_York'];
const PLATFORMS = ['tiktok', 'instagram', 'youtube', 'facebook', 'x'];
const DAY_MS = 86_400_000;
/** Statements of one read of views observations behind any number of grids: the posts, then their observations. */
const GRID_READ = 2;

/** The virality and best-time repositories, with a count of the SQL statements they ran. */
function countingRepository(server: TestServer): { repo: ViralityRepository; bestTime: BestTimeRepository; statements: () => number } {
  let count = 0;
  const counted = <T extends object>(real: T): T =>
    new Proxy(real, {
      get(target, property, receiver) {
        if (property === 'rows') count++;
        return Reflect.get(target, property, receiver);
      },
    });
  return { repo: counted(new ViralityRepository(server.running.db)), bestTime: counted(new BestTimeRepository(server.running.db)), statements: () => count };
}

/** `count` cold-start items (features, no content id), each planned on a day of its own. */
function items(count: number): ViralityItem[] {
  const start = new Date('2021-02-01T00:00:00Z').getTime();
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    features: {
      durationS: 10 + (i % 40),
      qualityScore: (i % 10) / 10,
      aestheticScore: 0.5,
      captionLengthChars: 40 + i,
      ctaInFirst5s: i % 2 === 0,
      hashtagCount: i % 5,
    },
    platform: PLATFORMS[i % PLATFORMS.length]!,
    plannedAt: new Date(start + i * DAY_MS + ((i * 7) % 24) * 3_600_000),
    timeZone: ZONES[i % ZONES.length]!,
  }));
}

describe(`virality: a batch of cold-start items reads its timing grids in bounded SQL (${BACKEND})`, () => {
  let server: TestServer;
  let tenant: string;
  let postIds: string[];
  before(async () => {
    server = await startTestServer();
    tenant = uniq('vbatch');
    const { token } = await new TenancyService(new TenancyRepository(server.running.db)).createToken(tenant, 'virality batch test');
    const world = generateWorld({ prefix: uniq('vb'), seed: 3, postsPerDay: 6, days: 90, startDay: '2020-12-01', timeZone: 'UTC' });
    postIds = world.slice(-3).map((p) => p.postId);
    const loaded = await loadWorld(server, world, bearer(token));
    expect(loaded.acceptedCount).to.equal(world.length * 2);
  });
  after(async () => {
    if (!server) return;
    // NOTE: a token left behind would put every later test of a shared database into token mode (AUTH=auto).
    if (tenant) await new TenancyRepository(server.running.db).deleteTokensOf(tenant);
    await server.stop();
  });

  it('predicts 30 items on 30 days in a few statements, with the answers of one call per item', async () => {
    const batch = items(30);
    const counted = countingRepository(server);
    const service = new ViralityService(counted.repo, new ViralityCacheService(counted.repo));
    const together = await service.predict(tenant, batch, 70);
    expect(together.every((a) => a.modelVersion === 'formula')).to.equal(true);
    // contentFeatures is skipped (no content ids); promotedModel, tenantOutcomes and one read of every grid's posts.
    expect(counted.statements()).to.be.at.most(2 + GRID_READ);

    const alone = [];
    let statementsAlone = 0;
    for (const item of batch) {
      const single = countingRepository(server);
      const [answer] = await new ViralityService(single.repo, new ViralityCacheService(single.repo)).predict(tenant, [{ ...item, index: item.index }], 70);
      alone.push(answer!);
      statementsAlone += single.statements();
    }
    expect(statementsAlone).to.be.at.least(3 * batch.length);
    expect(together).to.deep.equal(alone);
    // The timing value came from real grids: the predictions differ by planned slot, not only by features.
    expect(new Set(together.map((a) => a.score)).size).to.be.greaterThan(15);
  });

  it('each batched grid equals the one GetBestTimeToPost reads alone (one read behind all windows)', async () => {
    const counted = countingRepository(server);
    const wanted = items(30).flatMap((item) => PLATFORMS.map((platform) => ({ platform, timeZone: item.timeZone, reference: item.plannedAt })));
    const batched = await Promise.all(new ViralityCacheService(counted.repo).timingGrids(tenant, wanted));
    expect(counted.statements()).to.equal(GRID_READ);
    for (const [i, w] of wanted.entries()) {
      const to = new Date(Math.floor(w.reference.getTime() / DAY_MS) * DAY_MS);
      const window = { platform: w.platform, timeZone: w.timeZone, metric: 'views' as const, from: new Date(to.getTime() - TIMING_LOOKBACK_DAYS * DAY_MS), to };
      const alone = await loadBestTime(counted.bestTime, tenant, window, { minSampleSize: Number.POSITIVE_INFINITY });
      expect(batched[i], `${w.platform} ${w.timeZone} ${to.toISOString()}`).to.deep.equal(alone);
    }
    expect(batched.filter((g) => g.sampleSize > 20)).to.have.length.greaterThan(60);
  });

  it('a warm cache answers a second batch without reading grids again', async () => {
    const counted = countingRepository(server);
    const service = new ViralityService(counted.repo, new ViralityCacheService(counted.repo));
    const first = await service.predict(tenant, items(20), 70);
    const before = counted.statements();
    const second = await service.predict(tenant, items(20), 70);
    expect(counted.statements()).to.equal(before);
    expect(second).to.deep.equal(first);
  });

  it('live posts of registered content cost one statement when warm: the post, its latest views and its content', async () => {
    const live = postIds.map((postId, index): ViralityItem => ({ index, postId, horizonHours: 168, platform: '', plannedAt: new Date(0), timeZone: '' }));
    const counted = countingRepository(server);
    const service = new ViralityService(counted.repo, new ViralityCacheService(counted.repo));
    const first = await service.predict(tenant, live, 70);
    const before = counted.statements();
    const second = await service.predict(tenant, live, 70);
    expect(counted.statements() - before).to.equal(1);
    expect(second).to.deep.equal(first);
    // The content came with the posts (a live item takes its content id from its post; without its features it would be NOT_FOUND).
    expect(second.map((a) => a.contentId)).to.deep.equal(postIds.map((id) => `${id}-c`));
  });
});
