// The metric family tables partitioned by month: partitions made on demand, record ids unique across months,
// retention dropping whole months (with their ledger rows) but never what is not learned yet or what a running
// experiment reads, and the daily run's day query reading one partition.
import { expect } from 'chai';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import { ExperimentMetric } from '../../src/gen/stakazo/ml/v1/experiment.js';
import { RunStatus } from '../../src/gen/stakazo/ml/v1/learning.js';
import { MetricFamily, type MetricRecord, QueryMetricsRequest } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { queryNamed } from '../../src/db/named-params.js';
import { withSession } from '../../src/db/session.js';
import { DAY_POSTS_SQL } from '../../src/learning/run/learning.repository.js';
import { freshDatabase, type FreshDatabase } from '../helpers/fresh-database.js';
import { registerPosts, retentionRecord } from '../helpers/metrics-fixtures.js';
import { BACKEND, call, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { eventually } from '../helpers/eventually.js';

const DAY_MS = 86_400_000;
const today = new Date();
/** The 10th of the month `monthsBack` months before this one, at noon UTC, and its partition suffix (YYYYMM). */
function monthsAgo(monthsBack: number): { at: Date; month: string } {
  const at = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - monthsBack, 10, 12));
  return { at, month: `${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, '0')}` };
}
// Within the writers' on-demand horizon (24 months): OLD is past the retention of one year, KEPT is not.
const { at: OLD, month: OLD_MONTH } = monthsAgo(20);
const { at: KEPT, month: KEPT_MONTH } = monthsAgo(2);
// Past retention too, later than OLD: the month of the running experiment's post.
const { at: EXPERIMENT_AT, month: EXPERIMENT_MONTH } = monthsAgo(16);
// Past the horizon: lands in the DEFAULT partition, no month of its own.
const ANCIENT = new Date('2001-03-10T12:00:00Z');
/** The observation times of the records stored in the DEFAULT partition: a month apart, from ANCIENT on. */
const ANCIENT_TIMES = Array.from({ length: 12 }, (_, i) => new Date(ANCIENT.getTime() + i * 31 * DAY_MS));
const RETENTION_DAYS = 365;
/** The UTC day (YYYY-MM-DD) of an instant, as learning runs are keyed. */
const dayOf = (at: Date) => at.toISOString().slice(0, 10);

describe(`metrics partitions (${BACKEND})`, () => {
  let server: TestServer;
  let database: FreshDatabase;
  let prefix: string;
  let postId: string;
  // NOTE: an hour into today, but never in the future: between 00:00 and 00:55 UTC "01:00 today" was more than
  // five minutes ahead, and its records were refused (the test failed in the first hour of every day).
  const todayStart = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const now = new Date(Math.min(todayStart + 3_600_000, Date.now()));

  before(async () => {
    // NOTE: a database of its own: retention weighs every tenant's days, and any unlearned old day another file (or an
    // earlier run) left in a shared database would hold these months back.
    database = await freshDatabase('stakazo_partitions_');
    server = await startTestServer({ METRICS_RETENTION_DAYS: String(RETENTION_DAYS), ...database.env });
    prefix = uniq('part');
    postId = (await registerPosts(server, prefix)).postIds[0];
  });
  after(async () => {
    await server?.stop();
    await database?.drop();
  });

  const record = (records: MetricRecord[]) => call(server.metrics, server.metrics.recordMetrics, { records, allOrNothing: false });
  const sql = async <Row>(text: string, params: string[] = []) => (await server.running.db.knex.raw(text, params)).rows as Row[];
  const exists = async (relation: string) => (await sql<{ r: string | null }>('select to_regclass(?)::text as r', [relation]))[0].r !== null;
  const maintain = () => server.running.services.metricStorage.maintain(now);
  /** Learns a day through RunDailyLearning, as the scheduler or a caller would. */
  const learn = async (day: string) => {
    const { run } = await call(server.learning, server.learning.runDailyLearning, { day, force: false });
    expect(run!.status, `learning ${day}`).to.equal(RunStatus.RUN_STATUS_SUCCEEDED);
  };
  /** This file's records of a table's DEFAULT partition, and of the ledger, whose id starts with `${prefix}-ancient-`. */
  const ancientRows = async () => {
    const like = `${prefix}-ancient-%`;
    const [stored] = await sql<{ n: string }>('select count(*)::text as n from retention_metrics_pdefault where tenant_id = ? and record_id like ?', [
      'default',
      like,
    ]);
    const [ledger] = await sql<{ n: string }>('select count(*)::text as n from metric_records where tenant_id = ? and record_id like ?', ['default', like]);
    return { stored: Number(stored.n), ledger: Number(ledger.n) };
  };

  it('creates month partitions on demand and keeps a record id unique across them', async () => {
    const records = [
      retentionRecord(`${prefix}-old`, postId, OLD),
      retentionRecord(`${prefix}-kept`, postId, KEPT),
      retentionRecord(`${prefix}-now`, postId, now),
    ];
    expect(await record(records)).to.include({ acceptedCount: 3, duplicateCount: 0, rejectedCount: 0 });
    expect(await exists(`retention_metrics_p${OLD_MONTH}`)).to.equal(true);
    expect(await exists(`meta_learning_scores_p${KEPT_MONTH}`)).to.equal(true);
    // A retry of the three is three duplicates; the old id observed in another month with another payload is a
    // conflict, not a new record: the ledger's key does not depend on the partition.
    expect(await record(records)).to.include({ acceptedCount: 0, duplicateCount: 3, rejectedCount: 0 });
    const moved = await record([retentionRecord(`${prefix}-old`, postId, KEPT, 999)]);
    expect(moved).to.include({ acceptedCount: 0, duplicateCount: 0, rejectedCount: 1 });
    expect(moved.rejected[0].reason).to.match(/already/);
    // Single-record and batch paths alike.
    const batchMoved = await record([retentionRecord(`${prefix}-old`, postId, now, 998), retentionRecord(`${prefix}-new2`, postId, KEPT)]);
    expect(batchMoved).to.include({ acceptedCount: 1, rejectedCount: 1 });
  });

  it("the daily run's day query reads one partition per family table (EXPLAIN)", async () => {
    const start = new Date(Math.floor(KEPT.getTime() / DAY_MS) * DAY_MS);
    // NOTE: with the run's own setting (nested loops off for its set queries: src/learning/run/learning.repository.ts).
    const plan = await withSession(server.running.db, async (s) => {
      await s.query('set enable_nestloop = off');
      try {
        const bindings = { tenant: 'default', start, end: new Date(start.getTime() + DAY_MS), post: null };
        return (await queryNamed<Record<string, string>>(s, `explain ${DAY_POSTS_SQL}`, bindings)).rows;
      } finally {
        await s.query('reset enable_nestloop');
      }
    });
    const text = plan.map((row) => Object.values(row)[0]).join('\n');
    const partitions = (family: string) => [...new Set(text.match(new RegExp(`${family}_p\\d{6}`, 'g')) ?? [])];
    expect(partitions('retention_metrics'), text).to.deep.equal([`retention_metrics_p${KEPT_MONTH}`]);
    expect(partitions('engagement_metrics'), text).to.deep.equal([`engagement_metrics_p${KEPT_MONTH}`]);
    expect(text).to.not.match(/_pdefault/);
    // The latest row of each post is fetched by its ctid (a TID scan), never by testing every row of the day against
    // the list of chosen ctids (quadratic: minutes for a day of 20,000 posts when the statistics predate the day).
    expect(text).to.match(/Tid Scan on retention_metrics_p/);
    expect(text).to.not.match(/ctid = ANY/i);
  });

  it('analyses the partitions whose statistics are stale, once', async () => {
    const storage = server.running.services.metricStorage;
    const partition = `public.retention_metrics_p${KEPT_MONTH}`;
    // NOTE: Postgres's backends report their row counts to the statistics views up to seconds after commit, so
    // rows an earlier file of this worker wrote into the month can make it stale again right after an analysis.
    // Once the reports have settled, an analysis is not repeated: two refreshes in a row, the second analysing
    // nothing of it.
    const settled = async () => {
      await storage.refreshStatistics();
      return !(await storage.refreshStatistics()).includes(partition);
    };
    expect(await eventually(settled, 30_000), 'a second refresh analysed the partition again').to.equal(true);
    // Enough new rows into the month kept above (1,000, and a tenth of what it holds) to make its statistics stale;
    // a post and record ids of their own (the later tests count this file's records by post and by `prefix`).
    const [{ live }] = await sql<{ live: string }>('select n_live_tup::text as live from pg_stat_user_tables where relid = ?::regclass', [partition]);
    const ids = uniq('pstats');
    const [statsPost] = (await registerPosts(server, ids)).postIds;
    const many = Array.from({ length: 1000 + Math.ceil(Number(live) / 10) }, (_, i) =>
      retentionRecord(`${ids}-${i}`, statsPost, new Date(KEPT.getTime() + i * 1000)),
    );
    for (let i = 0; i < many.length; i += 500) expect(await record(many.slice(i, i + 500))).to.include({ rejectedCount: 0 });
    // NOTE: each server connection reports its counts to the statistics views within seconds, not at commit.
    let analysed: string[] = [];
    expect(await eventually(async () => (analysed = await storage.refreshStatistics()).includes(partition), 30_000)).to.equal(true, analysed.join());
    expect(await storage.refreshStatistics()).to.not.include(partition);
  });

  it('stores months past the on-demand horizon in the DEFAULT partition, creating no month for them', async () => {
    const spread = ANCIENT_TIMES.map((at, i) => retentionRecord(`${prefix}-ancient-${i}`, postId, at));
    expect(await record(spread)).to.include({ acceptedCount: 12, rejectedCount: 0 });
    expect(await exists('retention_metrics_p200103')).to.equal(false);
    const inDefault = await sql<{ n: string }>('select count(*)::text as n from retention_metrics_pdefault where tenant_id = ? and record_id like ?', [
      'default',
      `${prefix}-ancient-%`,
    ]);
    expect(inDefault[0].n).to.equal('12');
    expect(await record(spread)).to.include({ acceptedCount: 0, duplicateCount: 12 });
  });

  it('keeps the months and DEFAULT rows past retention while a day with metrics in them is not learned', async () => {
    const { dropped, kept, holds } = await maintain();
    expect(dropped).to.deep.equal([]);
    expect(kept).to.include(OLD_MONTH);
    expect(await exists(`retention_metrics_p${OLD_MONTH}`)).to.equal(true);
    expect(await ancientRows()).to.deep.equal({ stored: 12, ledger: 12 });
    // Why, for a person reading the log: the tenant's first day with metrics that no run learned, and how many.
    expect(holds).to.deep.equal([
      { tenantId: 'default', firstUnlearnedDay: dayOf(ANCIENT), unlearnedDays: 13, keptFrom: new Date(`${dayOf(ANCIENT)}T00:00:00Z`) },
    ]);
  });

  it('lets go of what is learned up to the first day that is not (RunDailyLearning)', async () => {
    for (const at of ANCIENT_TIMES) await learn(dayOf(at));
    const { dropped, kept, holds } = await maintain();
    expect(await ancientRows()).to.deep.equal({ stored: 0, ledger: 0 });
    expect(dropped).to.deep.equal([]);
    expect(kept).to.include(OLD_MONTH);
    expect(holds).to.deep.equal([{ tenantId: 'default', firstUnlearnedDay: dayOf(OLD), unlearnedDays: 1, keptFrom: new Date(`${dayOf(OLD)}T00:00:00Z`) }]);
    expect(await exists(`retention_metrics_p${OLD_MONTH}`)).to.equal(true);
  });

  it('drops whole months past METRICS_RETENTION_DAYS with their ledger rows once every day is learned, and creates the coming months', async () => {
    await learn(dayOf(OLD));
    const { dropped, kept, holds } = await maintain();
    expect(kept).to.deep.equal([]);
    expect(holds).to.deep.equal([]);
    expect(dropped).to.include(OLD_MONTH);
    expect(dropped).to.not.include(KEPT_MONTH);
    expect(await exists(`retention_metrics_p${OLD_MONTH}`)).to.equal(false);
    expect(await exists(`retention_metrics_p${KEPT_MONTH}`)).to.equal(true);
    const ahead = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
    expect(await exists(`engine_performance_p${ahead.getUTCFullYear()}${String(ahead.getUTCMonth() + 1).padStart(2, '0')}`)).to.equal(true);
    const ledger = await sql<{ record_id: string }>('select record_id from metric_records where tenant_id = ? and record_id like ? order by 1', [
      'default',
      `${prefix}-%`,
    ]);
    expect(ledger.map((r) => r.record_id)).to.deep.equal([`${prefix}-kept`, `${prefix}-new2`, `${prefix}-now`]);
    const page = await call(
      server.metrics,
      server.metrics.queryMetrics,
      QueryMetricsRequest.fromPartial({ family: MetricFamily.METRIC_FAMILY_RETENTION, postIds: [postId] }),
    );
    expect(page.records.map((r) => r.recordId).sort()).to.deep.equal([`${prefix}-kept`, `${prefix}-new2`, `${prefix}-now`]);
    // A write to a dropped month recreates it (this process knew the month; the write retries after creating it).
    expect(await record([retentionRecord(`${prefix}-late`, postId, OLD), retentionRecord(`${prefix}-late2`, postId, OLD)])).to.include({ acceptedCount: 2 });
    expect(await exists(`retention_metrics_p${OLD_MONTH}`)).to.equal(true);
  });

  it('keeps a month with metrics of a post in a running experiment until the experiment is stopped', async () => {
    const { postIds } = await registerPosts(server, `${prefix}-x`, 2);
    const records = postIds.map((id, i) => retentionRecord(`${prefix}-x-${i}`, id, new Date(EXPERIMENT_AT.getTime() + i * 3_600_000)));
    expect(await record(records)).to.include({ acceptedCount: 2, rejectedCount: 0 });
    // The day is learned: only the experiment holds the month.
    await learn(dayOf(EXPERIMENT_AT));
    const e = server.experiment;
    const { experiment } = await call(e, e.createExperiment, {
      name: 'retention hold',
      hypothesis: 'B beats A',
      variants: ['A', 'B'],
      primaryMetric: ExperimentMetric.EXPERIMENT_METRIC_VIEWS,
      guardrailMetrics: [],
      platform: Platform.PLATFORM_UNSPECIFIED,
      minimumDetectableEffect: 0,
      horizonHours: 0,
      plannedEndDay: '',
      skipCovariateAdjustment: true,
    });
    const experimentId = experiment!.experimentId;
    await call(e, e.addPosts, { experimentId, assignments: [{ postId: postIds[1], variant: 'B' }] });

    const held = await maintain();
    // The month the previous test wrote again (its day is learned) is before the experiment's first observation.
    expect(held.dropped).to.deep.equal([OLD_MONTH]);
    expect(held.kept).to.deep.equal([EXPERIMENT_MONTH]);
    const firstObservedAt = new Date(EXPERIMENT_AT.getTime() + 3_600_000);
    expect(held.holds).to.deep.equal([{ tenantId: 'default', experimentId, postId: postIds[1], firstObservedAt, keptFrom: firstObservedAt }]);
    const page = await call(
      server.metrics,
      server.metrics.queryMetrics,
      QueryMetricsRequest.fromPartial({ family: MetricFamily.METRIC_FAMILY_RETENTION, postIds }),
    );
    expect(page.records.map((r) => r.recordId).sort()).to.deep.equal([`${prefix}-x-0`, `${prefix}-x-1`]);

    await call(e, e.stopExperiment, { experimentId, reason: 'done' });
    const released = await maintain();
    expect(released).to.deep.include({ dropped: [EXPERIMENT_MONTH], kept: [], holds: [] });
    expect(await exists(`retention_metrics_p${EXPERIMENT_MONTH}`)).to.equal(false);
  });
});
