// Cancellation of long learning work: a cancelled Backfill stops between days, a cancelled RunDailyLearning stops
// its query in Postgres and records its run as failed (never left 'running').
import { Metadata, status } from '@grpc/grpc-js';
import { expect } from 'chai';
import pg from 'pg';
import { ReprocessMode } from '../../src/gen/stakazo/ml/v1/learning.js';
import { BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { eventually } from '../helpers/eventually.js';
import { generateWorld, loadWorld } from '../helpers/world.js';

// NOTE: days of their own (the default tenant and, on Postgres, the database are shared with other test files).
const BACKFILL_START = '2021-01-01';
const BACKFILL_END = '2021-12-31';
const SLOW_DAY = '2022-06-15';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`learning cancellation (${BACKEND})`, () => {
  let server: TestServer;

  /** learning_runs of the default tenant in [start, end], by status. */
  async function runsIn(start: string, end: string): Promise<{ total: number; running: number; failed: number }> {
    const r = await server.running.db.knex.raw(
      `select count(*)::int as total, (count(*) filter (where status = 'running'))::int as running,
              (count(*) filter (where status = 'failed'))::int as failed
         from learning_runs where tenant_id = 'default' and day between ?::date and ?::date`,
      [start, end],
    );
    return r.rows[0];
  }

  before(async () => {
    server = await startTestServer();
    await server.running.db.knex.raw(`delete from learning_runs where tenant_id = 'default' and (day between ?::date and ?::date or day = ?::date)`, [
      BACKFILL_START,
      BACKFILL_END,
      SLOW_DAY,
    ]);
  });
  after(async () => server?.stop());

  it('stops a Backfill between days when its deadline passes, leaving no run running', async () => {
    const request = { startDay: BACKFILL_START, endDay: BACKFILL_END, reprocess: ReprocessMode.REPROCESS_MODE_ALL };
    await expectStatus(call(server.learning, server.learning.backfill, request, new Metadata(), 400), status.DEADLINE_EXCEEDED);
    // The day in flight at the deadline ends (recorded as failed); after it, no further day may start.
    expect(await eventually(async () => (await runsIn(BACKFILL_START, BACKFILL_END)).running === 0, 10_000), 'a run left running').to.equal(true);
    const afterCancel = await runsIn(BACKFILL_START, BACKFILL_END);
    await sleep(1500);
    const later = await runsIn(BACKFILL_START, BACKFILL_END);
    expect(later.total, 'days kept running after the deadline').to.equal(afterCancel.total);
    expect(later.total).to.be.lessThan(365);
    expect(later.running).to.equal(0);
  });

  it('stops a cancelled RunDailyLearning in its query and records the run as failed', async () => {
    // On PGlite a day of data takes long enough to cancel mid-run; on Postgres a lock makes its read wait.
    if (BACKEND === 'pglite') {
      const world = generateWorld({ prefix: uniq('lc'), postsPerDay: 200, days: 1, startDay: '2022-06-14', observeDay: SLOW_DAY });
      await loadWorld(server, world);
    }
    const admin =
      BACKEND === 'postgres' ? new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'stakazo-learning-cancel-test' }) : undefined;
    await admin?.connect();
    /** Statements of the service reading retention_metrics that are still running (also waiting on a lock). */
    const activeReads = async () =>
      (
        await admin!.query(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and application_name = 'stakazo-ml' and state = 'active' and query like '%retention_metrics%'`,
        )
      ).rows[0].n as number;
    try {
      // NOTE: the lock is held by a connection of its own, so pg_stat_activity is read outside its transaction.
      const locker = admin ? new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'stakazo-learning-cancel-lock' }) : undefined;
      await locker?.connect();
      try {
        await locker?.query('begin');
        await locker?.query('lock table retention_metrics in access exclusive mode');
        const running = server.learning.runDailyLearning({ day: SLOW_DAY, force: true }, () => undefined);
        const ended = new Promise<number>((resolve) => running.on('status', (s) => resolve(s.code)));
        if (admin) {
          expect(await eventually(async () => (await activeReads()) > 0, 5000), 'the day read reached Postgres and waits').to.equal(true);
        } else {
          expect(await eventually(async () => (await runsIn(SLOW_DAY, SLOW_DAY)).running === 1, 5000), 'the run started').to.equal(true);
        }
        running.cancel();
        expect(await ended).to.equal(status.CANCELLED);
        if (admin) {
          // The lock is still held: only a cancel in Postgres can have ended the read.
          expect(await eventually(async () => (await activeReads()) === 0, 5000), 'the cancelled read still runs in Postgres').to.equal(true);
        }
      } finally {
        await locker?.query('rollback').catch(() => undefined);
        await locker?.end();
      }
      expect(await eventually(async () => (await runsIn(SLOW_DAY, SLOW_DAY)).failed === 1, 10_000), 'the run recorded as failed').to.equal(true);
      const stored = await server.running.db.knex.raw(`select error_message from learning_runs where tenant_id = 'default' and day = ?::date`, [SLOW_DAY]);
      expect(stored.rows[0].error_message).to.match(/cancel/);
    } finally {
      await admin?.end();
    }
  });
});
