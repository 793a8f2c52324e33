// ExperimentService over a real socket: create, assign, results with always-valid intervals, the daily learning
// run's decisions, listing and stopping; and the bad inputs (another tenant's posts, a post in two variants,
// fewer than 2 variants, unknown metric, posts added to a stopped experiment).
import { type Metadata, status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { contentOf, postOf, recordsOf } from '../../src/demo/world.js';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import {
  ExperimentDecision,
  ExperimentMetric,
  ExperimentStatus,
  type CreateExperimentRequest,
  type Experiment,
} from '../../src/gen/stakazo/ml/v1/experiment.js';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { bearer, BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { generateWorld, type WorldPost } from '../helpers/world.js';

const START_DAY = '2024-06-10';
/** The learned day: every post's horizon (24 h) is over by its end. */
const DAY = '2024-06-12';

const request = (overrides: Partial<CreateExperimentRequest> = {}): CreateExperimentRequest => ({
  name: 'top half vs bottom half',
  hypothesis: 'Posts planted to do better get more views.',
  variants: ['A', 'B'],
  primaryMetric: ExperimentMetric.EXPERIMENT_METRIC_VIEWS,
  guardrailMetrics: [ExperimentMetric.EXPERIMENT_METRIC_COMPLETION_RATE],
  platform: Platform.PLATFORM_UNSPECIFIED,
  minimumDetectableEffect: 0,
  horizonHours: 0,
  plannedEndDay: '',
  skipCovariateAdjustment: true,
  ...overrides,
});

describe(`experiments (${BACKEND})`, () => {
  let server: TestServer;
  let a: Metadata;
  let b: Metadata;
  let world: WorldPost[];
  let winnerTest: Experiment;

  /** Registers the posts for the tenant of `md` and records their metrics. */
  async function load(posts: WorldPost[], md: Metadata) {
    const m = server.metrics;
    for (const post of posts) {
      await call(m, m.registerContent, { content: contentOf(post) }, md);
      await call(m, m.registerPost, { post: postOf(post) }, md);
    }
    const records = posts.flatMap(recordsOf);
    for (let i = 0; i < records.length; i += 100) await call(m, m.recordMetrics, { records: records.slice(i, i + 100), allOrNothing: true }, md);
  }

  const tenants = [uniq('xa'), uniq('xb')];

  before(async () => {
    server = await startTestServer({ AUTH_CACHE_MS: '0' });
    const repo = new TenancyRepository(server.running.db);
    a = bearer((await new TenancyService(repo).createToken(tenants[0], 'test')).token);
    b = bearer((await new TenancyService(repo).createToken(tenants[1], 'test')).token);
    world = generateWorld({ prefix: 'xw', seed: 5, postsPerDay: 40, days: 2, startDay: START_DAY });
    await load(world, a);
    await load(world.slice(0, 2), b);
  });
  after(async () => {
    // NOTE: a token left behind would switch a shared database out of single-tenant mode for the other tests.
    if (server) for (const tenant of tenants) await new TenancyRepository(server.running.db).deleteTokensOf(tenant);
    await server?.stop();
  });

  const e = () => server.experiment;

  it('creates an experiment with the defaults filled in', async () => {
    const { experiment } = await call(e(), e().createExperiment, request(), a);
    expect(experiment!.status).to.equal(ExperimentStatus.EXPERIMENT_STATUS_RUNNING);
    expect(experiment!.decision).to.equal(ExperimentDecision.EXPERIMENT_DECISION_UNSPECIFIED);
    expect(experiment).to.include({ minimumDetectableEffect: 0.1, horizonHours: 24, covariateAdjustment: false });
    expect(experiment!.plannedEndDay).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(experiment!.postCounts).to.deep.equal([0, 0]);
    winnerTest = experiment!;
    // Another tenant neither sees nor touches it.
    const experimentId = experiment!.experimentId;
    await expectStatus(call(e(), e().getExperiment, { experimentId }, b), status.NOT_FOUND);
    await expectStatus(call(e(), e().getExperimentResult, { experimentId }, b), status.NOT_FOUND);
    await expectStatus(call(e(), e().stopExperiment, { experimentId, reason: '' }, b), status.NOT_FOUND);
    expect((await call(e(), e().listExperiments, { status: 0, pageSize: 0, pageToken: '' }, b)).experiments).to.deep.equal([]);
  });

  it('rejects fewer than 2 variants, unknown or missing metrics, repeated variants: statuses naming the field', async () => {
    await expectStatus(
      call(e(), e().createExperiment, request({ variants: ['only'] }), a),
      status.INVALID_ARGUMENT,
      /^variants has 1; an experiment needs at least 2/,
    );
    await expectStatus(
      call(e(), e().createExperiment, request({ primaryMetric: 99 as ExperimentMetric }), a),
      status.INVALID_ARGUMENT,
      /^primary_metric 99 is not a known metric/,
    );
    await expectStatus(call(e(), e().createExperiment, request({ primaryMetric: 0 }), a), status.INVALID_ARGUMENT, /^primary_metric is required/);
    await expectStatus(
      call(e(), e().createExperiment, request({ guardrailMetrics: [42 as ExperimentMetric] }), a),
      status.INVALID_ARGUMENT,
      /^guardrail_metrics\[0\] 42/,
    );
    await expectStatus(call(e(), e().createExperiment, request({ variants: ['A', 'B', 'A'] }), a), status.INVALID_ARGUMENT, /^variants\[2\] "A" repeats/);
    await expectStatus(
      call(e(), e().createExperiment, request({ plannedEndDay: '2020-01-01' }), a),
      status.INVALID_ARGUMENT,
      /^planned_end_day .* in the past/,
    );
  });

  it('assigns posts; rejects another tenant’s posts, a post in two variants and unknown variants', async () => {
    const id = winnerTest.experimentId;
    // The planted better half (by expected ln views) goes to B: a large true effect.
    const ranked = [...world].sort((x, y) => x.expectedLogViews - y.expectedLogViews);
    const half = ranked.length / 2;
    const assignments = ranked.map((post, i) => ({ postId: post.postId, variant: i < half ? 'A' : 'B' }));
    const added = await call(e(), e().addPosts, { experimentId: id, assignments }, a);
    expect(added).to.include({ addedCount: world.length, unchangedCount: 0 });
    expect(added.experiment!.postCounts).to.deep.equal([half, half]);
    // A retry changes nothing.
    expect(await call(e(), e().addPosts, { experimentId: id, assignments: assignments.slice(0, 3) }, a)).to.include({ addedCount: 0, unchangedCount: 3 });

    const other = await call(e(), e().createExperiment, request({ name: 'b' }), b);
    const bPost = world[0].postId;
    // Tenant B registered the same post ids: its own. Tenant A's experiment id is unknown to B.
    await expectStatus(
      call(e(), e().addPosts, { experimentId: id, assignments: [{ postId: bPost, variant: 'A' }] }, b),
      status.NOT_FOUND,
      /experiment .* not found/,
    );
    const foreign = await expectStatus(
      call(e(), e().addPosts, { experimentId: other.experiment!.experimentId, assignments: [{ postId: world[5].postId, variant: 'A' }] }, b),
      status.NOT_FOUND,
      /assignments\[0\]\.post_id\) not found for this tenant/,
    );
    expect(foreign.metadata.get('field')).to.deep.equal(['assignments[0].post_id']);

    const twice = [
      { postId: world[0].postId, variant: 'A' },
      { postId: world[0].postId, variant: 'B' },
    ];
    await expectStatus(
      call(e(), e().addPosts, { experimentId: id, assignments: twice }, a),
      status.INVALID_ARGUMENT,
      /^assignments\[1\]\.post_id .* is also in variant "A"/,
    );
    const moved = assignments.find((x) => x.variant === 'A')!;
    await expectStatus(
      call(e(), e().addPosts, { experimentId: id, assignments: [{ postId: moved.postId, variant: 'B' }] }, a),
      status.ALREADY_EXISTS,
      /^assignments\[0\]\.post_id .* is already in variant "A"/,
    );
    await expectStatus(
      call(e(), e().addPosts, { experimentId: id, assignments: [{ postId: world[0].postId, variant: 'C' }] }, a),
      status.INVALID_ARGUMENT,
      /^assignments\[0\]\.variant "C" is not a variant/,
    );
    await expectStatus(call(e(), e().addPosts, { experimentId: id, assignments: [] }, a), status.INVALID_ARGUMENT, /^assignments is empty/);
    const onTiktok = await call(e(), e().createExperiment, request({ name: 'tiktok only', platform: Platform.PLATFORM_TIKTOK }), a);
    const elsewhere = world.find((p) => p.platform !== Platform.PLATFORM_TIKTOK)!;
    await expectStatus(
      call(e(), e().addPosts, { experimentId: onTiktok.experiment!.experimentId, assignments: [{ postId: elsewhere.postId, variant: 'A' }] }, a),
      status.INVALID_ARGUMENT,
      /the experiment only takes tiktok posts/,
    );
  });

  it('answers the result: the planted better half wins with an always-valid interval above zero', async () => {
    const result = await call(e(), e().getExperimentResult, { experimentId: winnerTest.experimentId }, a);
    expect(result.decision).to.equal(ExperimentDecision.EXPERIMENT_DECISION_STOP_WINNER);
    expect(result.winnerVariant).to.equal('B');
    expect(result.reason).to.match(/^Variant "B" wins on views: \+\d/);
    const [control, treatment] = result.primary!.variants;
    expect(control.postsCount + treatment.postsCount).to.equal(world.length);
    expect(control.effectEstimated).to.equal(false);
    expect(treatment.effectEstimated).to.equal(true);
    expect(treatment.effectRelativeLower).to.be.greaterThan(0);
    expect(treatment.effectRelative).to.be.within(treatment.effectRelativeLower, treatment.effectRelativeUpper);
    expect(treatment.probabilityBest).to.be.greaterThan(0.99);
    expect(result.guardrails.map((g) => g.metric)).to.deep.equal([ExperimentMetric.EXPERIMENT_METRIC_COMPLETION_RATE]);
    expect(result.history).to.deep.equal([]);
  });

  it('is updated by the daily learning run: the decision is in the report, the experiment stops, no more posts', async () => {
    const aa = await call(e(), e().createExperiment, request({ name: 'a/a', skipCovariateAdjustment: false }), a);
    const aaId = aa.experiment!.experimentId;
    await call(e(), e().addPosts, { experimentId: aaId, assignments: world.map((p, i) => ({ postId: p.postId, variant: i % 2 ? 'B' : 'A' })) }, a);

    const run = await call(server.learning, server.learning.runDailyLearning, { day: DAY, force: true }, a);
    expect(run.run!.steps.map((s) => s.step)).to.include('update_experiments');
    const line = run.report!.experiments.find((x) => x.experimentId === winnerTest.experimentId)!;
    expect(line).to.include({ decision: ExperimentDecision.EXPERIMENT_DECISION_STOP_WINNER, winnerVariant: 'B', stopped: true });
    expect(line.variants.map((v) => v.variant)).to.deep.equal(['B']);
    const aaLine = run.report!.experiments.find((x) => x.experimentId === aaId)!;
    expect(aaLine.decision).to.not.equal(ExperimentDecision.EXPERIMENT_DECISION_STOP_WINNER);

    const { experiment } = await call(e(), e().getExperiment, { experimentId: winnerTest.experimentId }, a);
    expect(experiment!.status).to.equal(ExperimentStatus.EXPERIMENT_STATUS_STOPPED);
    expect(experiment!.decision).to.equal(ExperimentDecision.EXPERIMENT_DECISION_STOP_WINNER);
    const refused = await expectStatus(
      call(e(), e().addPosts, { experimentId: winnerTest.experimentId, assignments: [{ postId: world[0].postId, variant: 'A' }] }, a),
      status.FAILED_PRECONDITION,
      /is stopped/,
    );
    expect(refused.metadata.get('field')).to.deep.equal(['experiment_id']);
    const result = await call(e(), e().getExperimentResult, { experimentId: winnerTest.experimentId }, a);
    expect(result.history.map((h) => h.day)).to.deep.equal([DAY]);
    expect(result.history[0].variants[0].effectRelativeLower).to.be.greaterThan(0);
    // The adjusted A/A experiment used the model's prediction as covariate.
    const aaResult = await call(e(), e().getExperimentResult, { experimentId: aaId }, a);
    expect(aaResult.primary!.covariateAdjusted).to.equal(true);
  });

  it('lists newest first with paging and a status filter, and stops by hand once', async () => {
    const running = await call(e(), e().listExperiments, { status: ExperimentStatus.EXPERIMENT_STATUS_RUNNING, pageSize: 0, pageToken: '' }, a);
    expect(running.experiments.map((x) => x.experimentId)).to.not.include(winnerTest.experimentId);
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await call(e(), e().listExperiments, { status: 0, pageSize: 1, pageToken }, a);
      seen.push(...page.experiments.map((x) => x.experimentId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).to.have.length(3);
    expect(seen[seen.length - 1]).to.equal(winnerTest.experimentId);
    const stopped = await call(e(), e().stopExperiment, { experimentId: seen[0], reason: 'enough' }, a);
    expect(stopped.experiment).to.include({ status: ExperimentStatus.EXPERIMENT_STATUS_STOPPED, decisionReason: 'enough' });
    await expectStatus(call(e(), e().stopExperiment, { experimentId: seen[0], reason: '' }, a), status.FAILED_PRECONDITION, /is stopped/);
    await expectStatus(call(e(), e().listExperiments, { status: 7 as ExperimentStatus, pageSize: 0, pageToken: '' }, a), status.INVALID_ARGUMENT, /^status 7/);
    await expectStatus(call(e(), e().getExperiment, { experimentId: '' }, a), status.INVALID_ARGUMENT, /^experiment_id is empty/);
  });
  it('names the posts of a call that are also in another running experiment (each counts in both), and only while it runs', async () => {
    const tenant = uniq('xc');
    tenants.push(tenant);
    const c = bearer((await new TenancyService(new TenancyRepository(server.running.db)).createToken(tenant, 'test')).token);
    await load(world.slice(0, 3), c);
    const [first, second] = await Promise.all(['first', 'second'].map((name) => call(e(), e().createExperiment, request({ name }), c)));
    const [one, two] = [first, second].map((x) => x.experiment!.experimentId);
    const alone = await call(e(), e().addPosts, { experimentId: one, assignments: [{ postId: world[0].postId, variant: 'A' }] }, c);
    expect(alone.alsoInRunning).to.deep.equal([]);
    const shared = await call(
      e(),
      e().addPosts,
      {
        experimentId: two,
        assignments: [
          { postId: world[1].postId, variant: 'A' },
          { postId: world[0].postId, variant: 'B' },
        ],
      },
      c,
    );
    expect(shared.addedCount).to.equal(2);
    expect(shared.alsoInRunning).to.deep.equal([{ postId: world[0].postId, experimentId: one, variant: 'A' }]);
    // Another tenant's experiments are not named; a stopped experiment no longer counts.
    await call(e(), e().stopExperiment, { experimentId: one, reason: 'done' }, c);
    const retried = await call(e(), e().addPosts, { experimentId: two, assignments: [{ postId: world[0].postId, variant: 'B' }] }, c);
    expect(retried).to.deep.include({ addedCount: 0, unchangedCount: 1, alsoInRunning: [] });
  });
});
