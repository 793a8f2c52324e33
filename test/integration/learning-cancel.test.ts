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

  /** Backfill calls this server has finished answering (any status): its handler's work is over then. */
  async function backfillsAnswered(): Promise<number> {
    const { values } = await server.running.metrics.requests.get();
    return values.filter((v) => v.labels.grpc_method === 'Backfill').reduce((sum, v) => sum + v.value, 0);
  }

  it('starts no day of a Backfill after its deadline on the server, leaving no run running', async () => {
    const timeoutMs = 400;
    // A connected channel first: a Backfill whose deadline passed while the client still connected never reaches
    // the server, and there would be no handler to wait for.
    await call(server.learning, server.learning.getLearningSettings, {});
    const answeredBefore = await backfillsAnswered();
    const request = { startDay: BACKFILL_START, endDay: BACKFILL_END, reprocess: ReprocessMode.REPROCESS_MODE_ALL };
    await expectStatus(call(server.learning, server.learning.backfill, request, new Metadata(), timeoutMs), status.DEADLINE_EXCEEDED);
    // The server's handler has answered: whatever it started is over, nothing more can start.
    expect(await eventually(async () => (await backfillsAnswered()) > answeredBefore, 30_000), 'the Backfill handler never ended').to.equal(true);
    // NOTE: the server received the call before its first day started, so its deadline (receipt + the grpc-timeout
    // it received, ≤ timeoutMs) is at most the first day's start + timeoutMs: no day may have started after that.
    // Timing-free: it holds however slowly the machine runs, and fails whenever one more day started late.
    const r = await server.running.db.knex.raw(
      `select count(*)::int as total, (count(*) filter (where status = 'running'))::int as running,
              coalesce((extract(epoch from max(started_at) - min(started_at)) * 1000)::float8, 0) as "spreadMs"
         from learning_runs where tenant_id = 'default' and day between ?::date and ?::date`,
      [BACKFILL_START, BACKFILL_END],
    );
    const { total, running, spreadMs } = r.rows[0];
    expect(running, 'a run left running').to.equal(0);
    expect(total).to.be.lessThan(365);
    expect(spreadMs, `a day started ${spreadMs} ms after the first one, past the ${timeoutMs} ms deadline`).to.be.at.most(timeoutMs);
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
