// The daily learning run over gRPC on a synthetic world with planted patterns; idempotency, concurrency, history.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import { KeyMomentKind, RecommendationKind, ReprocessMode, RunStatus, type LearningReport } from '../../src/gen/stakazo/ml/v1/learning.js';
import { createLogger } from '../../src/log.js';
import { LearningScheduler } from '../../src/learning/scheduler.js';
import { BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { generateWorld, loadWorld, PLANTED, type WorldPost } from '../helpers/world.js';

// NOTE: tests share one database per run and all use the default tenant, so each uses days of its own.
const DAY = '2024-02-29';

describe(`learning (${BACKEND})`, () => {
  let server: TestServer;
  let world: WorldPost[];
  let report: LearningReport;

  before(async () => {
    server = await startTestServer();
    // A kept database (local runs) still holds earlier runs' worlds observed on the same days: clear them.
    await server.running.db.knex.raw(`delete from learning_runs where day between '2023-03-01' and '2024-03-31'`);
    // NOTE: metric rows are not deleted with their content (no foreign keys since 20261126000001): delete them too.
    for (const table of ['retention_metrics', 'engagement_metrics', 'posts']) {
      await server.running.db.knex.raw(`delete from ${table} where tenant_id = 'default' and post_id like 'lw%'`);
    }
    await server.running.db.knex.raw(`delete from content where tenant_id = 'default' and content_id like 'lw%'`);
    world = generateWorld({ prefix: uniq('lw'), postsPerDay: 200, days: 3, startDay: '2024-02-26', observeDay: DAY });
    const loaded = await loadWorld(server, world);
    expect(loaded.acceptedCount).to.equal(world.length * 2);
  });
  after(async () => server?.stop());

  it('learns a day and finds the planted patterns, with numbers close to the planted ones', async () => {
    const response = await call(server.learning, server.learning.runDailyLearning, { day: DAY, force: false });
    expect(response.reused).to.equal(false);
    expect(response.run!.status).to.equal(RunStatus.RUN_STATUS_SUCCEEDED);
    expect(response.run!.steps.map((s) => s.step)).to.deep.equal([
      'refresh_statistics',
      'read_metrics',
      'build_snapshot',
      'analyse_retention',
      'discover_insights',
      'update_state',
      'generate_recommendations',
      'update_experiments',
    ]);
    expect(response.run!.rowsRead).to.equal(world.length * 2);
    report = response.report!;
    expect(report.postsAnalysed).to.equal(world.length);

    // Snapshots: one per platform, counts and views as generated.
    for (const platform of [Platform.PLATFORM_TIKTOK, Platform.PLATFORM_INSTAGRAM, Platform.PLATFORM_YOUTUBE]) {
      const posts = world.filter((p) => p.platform === platform);
      const snapshot = report.snapshots.find((s) => s.platform === platform)!;
      expect(snapshot.postsCount).to.equal(posts.length);
      expect(snapshot.views).to.equal(posts.reduce((s, p) => s + p.views, 0));
    }

    // Planted: Instagram loses 70 % in the first 3 s, the others 25 %.
    const instagram = report.platforms.find((p) => p.platform === Platform.PLATFORM_INSTAGRAM)!;
    expect(instagram.meanFirst3sLoss).to.be.closeTo(PLANTED.instagramFirst3sLoss, 0.03);
    const tiktok = report.platforms.find((p) => p.platform === Platform.PLATFORM_TIKTOK)!;
    expect(tiktok.meanFirst3sLoss).to.be.closeTo(PLANTED.otherFirst3sLoss, 0.03);

    // Planted: 15–30 s videos complete twice as often.
    const band = report.insights.find((i) => i.feature === 'duration_s' && i.bucket === '15-30' && i.outcome === 'completion_rate');
    expect(band, 'the duration insight').to.not.equal(undefined);
    expect(band!.bucketMean / band!.restMean).to.be.closeTo(PLANTED.bandCompletion / PLANTED.otherCompletion, 0.25);
    expect(band!.smallSample).to.equal(false);
    expect(band!.confidence).to.be.greaterThan(0.99);
    // Advice comes from the outcome models over the window (not the day's insights): one per lever and platform,
    // each with its effect on every modelled outcome.
    const levers = report.recommendations.map((r) => `${r.lever}/${r.platform}`);
    expect(new Set(levers).size, levers.join(', ')).to.equal(levers.length);
    for (const r of report.recommendations) {
      expect(r.evidence).to.equal(undefined);
      expect(r.effects[0].outcome).to.equal('views');
      expect(r.effects.map((e) => e.outcome)).to.include.members(['completion_rate', 'engagement_rate']);
      expect(r.modelVersion).to.match(/^o20240229-/);
      expect(r.postsBehind).to.equal(world.length);
      expect(r.kind).to.not.equal(RecommendationKind.RECOMMENDATION_KIND_UNSPECIFIED);
    }
    expect(report.summary).to.match(/600 posts on 3 platforms/);
  });

  it('analyses one post: the first-3-s drop-off of an Instagram post', async () => {
    const post = world.find((p) => p.platform === Platform.PLATFORM_INSTAGRAM)!;
    const { analysis } = await call(server.learning, server.learning.getRetentionAnalysis, { postId: post.postId });
    expect(analysis!.first3sLoss).to.be.closeTo(post.first3sLoss, 0.02);
    expect(analysis!.dropOffPoints[0].positionS).to.be.lessThan(3.5);
    expect(analysis!.keyMoments.some((m) => m.kind === KeyMomentKind.KEY_MOMENT_KIND_INTRO)).to.equal(true);
    await expectStatus(call(server.learning, server.learning.getRetentionAnalysis, { postId: 'nope' }), status.NOT_FOUND);
  });

  it('clusters the day by curve shape, separating the early-drop posts', async () => {
    const result = await call(server.learning, server.learning.getRetentionClusters, { startDay: DAY, endDay: '', platform: 0, maxClusters: 0 });
    expect(result.postsCount).to.equal(world.length);
    expect(result.clusters.length).to.be.greaterThanOrEqual(2);
    const earlyDrop = [...result.clusters].sort((a, b) => b.meanFirst3sLoss - a.meanFirst3sLoss)[0];
    expect(earlyDrop.meanFirst3sLoss).to.be.closeTo(PLANTED.instagramFirst3sLoss, 0.05);
    expect(earlyDrop.centroidCurve).to.have.length(101);
  });

  it('returns the stored run for a learned day, and the identical report when forced again', async () => {
    const again = await call(server.learning, server.learning.runDailyLearning, { day: DAY, force: false });
    expect(again.reused).to.equal(true);
    expect(again.run!.attempt).to.equal(1);
    expect(again.report).to.deep.equal(report);
    const forced = await call(server.learning, server.learning.runDailyLearning, { day: DAY, force: true });
    expect(forced.reused).to.equal(false);
    expect(forced.run!.attempt).to.equal(2);
    expect(forced.report).to.deep.equal(report);
    const stored = await call(server.learning, server.learning.getLearningReport, { day: DAY });
    expect(stored.report).to.deep.equal(report);
  });

  it('runs a day once when many callers ask at the same time', async () => {
    const day = '2024-03-02';
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => call(server.learning, server.learning.runDailyLearning, { day, force: false })));
    const ran = results.filter((r) => r.status === 'fulfilled' && !r.value.reused);
    expect(ran).to.have.length(1);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as { code: number }).code).to.equal(status.FAILED_PRECONDITION);
    }
    const { run } = await call(server.learning, server.learning.getLearningReport, { day });
    expect(run!.attempt).to.equal(1);
  });

  it('answers one run per day of the range to each of three concurrent Backfills, waiting for days another holds', async () => {
    // NOTE: days of a year with no data: each run is quick, so the three Backfills keep colliding on the same days.
    const range = { startDay: '2023-04-01', endDay: '2023-04-30' };
    await server.running.db.knex.raw(`delete from learning_runs where day between '2023-04-01' and '2023-04-30'`);
    const days = Array.from({ length: 30 }, (_, i) => `2023-04-${String(i + 1).padStart(2, '0')}`);
    const answers = await Promise.all(
      [ReprocessMode.REPROCESS_MODE_ALL, ReprocessMode.REPROCESS_MODE_ALL, ReprocessMode.REPROCESS_MODE_NONE].map((reprocess) =>
        call(server.learning, server.learning.backfill, { ...range, reprocess }),
      ),
    );
    for (const answer of answers) {
      expect(answer.runs.map((r) => r.day)).to.deep.equal(days);
      expect(answer.runs.every((r) => r.status === RunStatus.RUN_STATUS_SUCCEEDED)).to.equal(true);
    }
    // Every day ran at least once and at most once per Backfill (a forced one arriving after another finished runs it again).
    const { runs } = await call(server.learning, server.learning.listLearningRuns, { ...range, pageSize: 100, pageToken: '' });
    expect(runs).to.have.length(30);
    for (const run of runs) expect(run.attempt).to.be.within(1, 3);
  });

  it('learns a day without data as an empty report that says so', async () => {
    const { report: empty } = await call(server.learning, server.learning.runDailyLearning, { day: '2023-03-05', force: false });
    expect(empty!.empty).to.equal(true);
    expect(empty!.summary).to.match(/No metrics were observed on 2023-03-05/);
  });

  it('rejects a future day, a malformed date and an unknown report day', async () => {
    await expectStatus(call(server.learning, server.learning.runDailyLearning, { day: '2999-01-01', force: false }), status.INVALID_ARGUMENT, /not over yet/);
    await expectStatus(
      call(server.learning, server.learning.runDailyLearning, { day: '2024-02-30', force: false }),
      status.INVALID_ARGUMENT,
      /not a calendar day/,
    );
    await expectStatus(call(server.learning, server.learning.runDailyLearning, { day: 'yesterday', force: false }), status.INVALID_ARGUMENT, /YYYY-MM-DD/);
    await expectStatus(call(server.learning, server.learning.getLearningReport, { day: '2023-03-20' }), status.NOT_FOUND);
  });

  it('backfills a range in order, skipping learned days unless asked, and lists runs with trends', async () => {
    const first = await call(server.learning, server.learning.backfill, { startDay: '2024-02-27', endDay: DAY, reprocess: ReprocessMode.REPROCESS_MODE_NONE });
    expect(first.runs.map((r) => r.day)).to.deep.equal(['2024-02-27', '2024-02-28', DAY]);
    expect(first.daysRunCount).to.equal(2);
    const none = await call(server.learning, server.learning.backfill, { startDay: '2024-02-27', endDay: DAY, reprocess: ReprocessMode.REPROCESS_MODE_NONE });
    expect(none.daysRunCount).to.equal(0);
    const page1 = await call(server.learning, server.learning.listLearningRuns, { startDay: '2024-02-27', endDay: DAY, pageSize: 2, pageToken: '' });
    expect(page1.runs.map((r) => r.day)).to.deep.equal([DAY, '2024-02-28']);
    const page2 = await call(server.learning, server.learning.listLearningRuns, {
      startDay: '2024-02-27',
      endDay: DAY,
      pageSize: 2,
      pageToken: page1.nextPageToken,
    });
    expect(page2.runs.map((r) => r.day)).to.deep.equal(['2024-02-27']);
    expect(page2.nextPageToken).to.equal('');
    expect(page1.trends!.points.map((p) => p.day)).to.deep.equal(['2024-02-27', '2024-02-28', DAY]);
  });

  it('scheduler: a service down for three days catches up three days, once each (injected clock)', async () => {
    const learning = server.running.services.learning;
    let now = new Date('2023-06-14T02:00:00Z');
    const ranDays: string[] = [];
    const scheduler = new LearningScheduler({
      config: { enabled: true, time: '02:00', timeZone: 'UTC', catchUpDays: 3 },
      log: createLogger('silent'),
      tenants: async () => ['default'],
      runDay: async (tenantId, day) => {
        const result = await learning.runDay(tenantId, day, { trigger: 'scheduler' });
        if (!result.reused) ranDays.push(day);
        return !result.reused;
      },
      now: () => now,
    });
    expect(await scheduler.catchUp()).to.equal(3);
    expect(ranDays).to.deep.equal(['2023-06-11', '2023-06-12', '2023-06-13']);
    expect(await scheduler.catchUp()).to.equal(0);
    now = new Date('2023-06-15T02:00:00Z');
    expect(await scheduler.catchUp()).to.equal(1);
    expect(ranDays.at(-1)).to.equal('2023-06-14');
  });
});
