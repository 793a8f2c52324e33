// A learning run whose process is killed mid-way (kill -9 of a real child process) is recovered: recorded as failed
// instead of running, taken over at once by a forced run, learned again by the scheduler, and the day's previous
// good report stays readable meanwhile.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { RunStatus } from '../../src/gen/stakazo/ml/v1/learning.js';
import { eventually } from '../helpers/eventually.js';
import { BACKEND, call, expectStatus, seedDataDir, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { generateWorld, loadWorld } from '../helpers/world.js';

// NOTE: a day of its own for the default tenant (on Postgres the database is shared with other test files).
const DAY = '2020-02-11';

/** Starts a runner process that claims (tenant default, `day`) and hangs; resolves once it has claimed. */
async function claimInChild(dataDir: string, day: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/claim-and-hang.ts', 'default', day], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL ?? '', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
    });
    child.on('exit', () => reject(new Error(`the runner exited before claiming: ${stderr}`)));
  });
  const claim = JSON.parse(line) as { claimed: boolean; attempt: number; owner: string };
  return {
    claim,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe(`learning run recovery after kill -9 (${BACKEND})`, function () {
  this.timeout(120_000);
  let dataDir: string;
  let server: TestServer | undefined;

  const runOf = async (s: TestServer) => {
    const r = await call(s.learning, s.learning.listLearningRuns, { startDay: DAY, endDay: DAY, pageSize: 1, pageToken: '' });
    return r.runs[0];
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stakazo-recovery-'));
    await seedDataDir(dataDir);
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("records the killed run as failed, serves the previous report meanwhile, and lets a forced run take a dead runner's day at once", async () => {
    server = await startTestServer({ DATA_DIR: dataDir });
    await server.running.db.knex.raw(`delete from learning_runs where tenant_id = 'default' and day = ?::date`, [DAY]);
    const first = await call(server.learning, server.learning.runDailyLearning, { day: DAY, force: false });
    expect(first.run!.status).to.equal(RunStatus.RUN_STATUS_SUCCEEDED);
    // A server starting after the runner died finds its run (on PGlite the runner can only open the folder then).
    await server.stop();
    server = undefined;
    const runner = await claimInChild(dataDir, DAY);
    expect(runner.claim.claimed).to.equal(true);
    await runner.kill();
    server = await startTestServer({ DATA_DIR: dataDir });
    const s = server;

    // The day's good report is still served while its new attempt is orphaned.
    const report = await call(s.learning, s.learning.getLearningReport, { day: DAY });
    expect(report.run!.attempt).to.equal(first.run!.attempt);
    expect(report.run!.status).to.equal(RunStatus.RUN_STATUS_SUCCEEDED);

    // Recorded as failed at start-up, naming the runner that died, instead of running.
    expect(await eventually(async () => (await runOf(s)).status === RunStatus.RUN_STATUS_FAILED, 10_000), 'the killed run still looks running').to.equal(true);
    expect((await runOf(s)).errorMessage).to.include(runner.claim.owner);
    expect((await call(s.learning, s.learning.getLearningReport, { day: DAY })).run!.attempt, 'the good report after the failure').to.equal(first.run!.attempt);

    // A new runner that dies holds the day no longer than its process lives: a forced run takes it over at once.
    // NOTE: on Postgres the server keeps running meanwhile; the embedded folder admits one process at a time.
    if (BACKEND === 'pglite') {
      await s.stop();
      server = undefined;
    }
    const second = await claimInChild(dataDir, DAY);
    await second.kill();
    server ??= await startTestServer({ DATA_DIR: dataDir });
    const t = server;
    const forced = await eventually(async () => {
      try {
        const r = await call(t.learning, t.learning.runDailyLearning, { day: DAY, force: true }, new Metadata(), 10_000);
        return r.run!.status === RunStatus.RUN_STATUS_SUCCEEDED && r.run!.attempt === second.claim.attempt + 1;
      } catch (err) {
        if ((err as { code?: number }).code === status.FAILED_PRECONDITION) return false;
        throw err;
      }
    }, 10_000);
    expect(forced, 'the forced run was refused: the dead runner still holds the day').to.equal(true);
    const report2 = await call(t.learning, t.learning.getLearningReport, { day: DAY });
    expect(report2.run!.attempt, 'the new report replaced the old one once committed').to.equal(second.claim.attempt + 1);
  });

  it('learns the killed run again at start-up when the scheduler runs, even outside the catch-up window', async function () {
    // NOTE: PGlite only: the scheduler learns every tenant of the database, and the Postgres one is shared.
    if (BACKEND === 'postgres') this.skip();
    const runner = await claimInChild(dataDir, DAY);
    await runner.kill();
    server = await startTestServer({ DATA_DIR: dataDir, SCHEDULER_ENABLED: 'true', SCHEDULER_CATCH_UP_DAYS: '1' });
    const s = server;
    const learned = await eventually(async () => {
      const run = await runOf(s);
      return run.status === RunStatus.RUN_STATUS_SUCCEEDED && run.attempt === runner.claim.attempt + 1;
    }, 30_000);
    expect(learned, 'the killed run was not learned again').to.equal(true);
  });

  it("keeps a day's report when its metrics were dropped since, instead of one built on fewer posts", async () => {
    const day = '2020-04-22';
    server = await startTestServer({ DATA_DIR: dataDir });
    const s = server;
    const prefix = uniq('dropped');
    await s.running.db.knex.raw(`delete from learning_runs where tenant_id = 'default' and day = ?::date`, [day]);
    // NOTE: on a Postgres worker's database, earlier files (or runs) may have observed other posts of the default
    // tenant on that day: they count too, and are left alone.
    const others = Number(
      (
        await s.running.db.knex.raw(
          `select count(distinct post_id) as n from retention_metrics
            where tenant_id = 'default' and observed_at >= ?::date and observed_at < ?::date + 1`,
          [day, day],
        )
      ).rows[0].n,
    );
    await loadWorld(s, generateWorld({ prefix, postsPerDay: 20, days: 1, startDay: '2020-04-21', observeDay: day }));
    const first = await call(s.learning, s.learning.runDailyLearning, { day, force: false });
    const built = others + 20;
    expect(first.report!.postsAnalysed).to.equal(built);
    // As retention does: the day's observations are gone (all but two posts').
    for (const table of ['retention_metrics', 'engagement_metrics']) {
      await s.running.db.knex.raw(`delete from ${table} where tenant_id = 'default' and post_id like ? and post_id not in (?, ?)`, [
        `${prefix}%`,
        `${prefix}-p0-0`,
        `${prefix}-p0-1`,
      ]);
    }
    await expectStatus(
      call(s.learning, s.learning.runDailyLearning, { day, force: true }),
      status.FAILED_PRECONDITION,
      new RegExp(`now hold \\d+ posts where its report was built on ${built} .*the report on ${built} posts is kept`),
    );
    const kept = await call(s.learning, s.learning.getLearningReport, { day });
    expect(kept.report!.postsAnalysed).to.equal(built);
    expect(kept.run!.attempt).to.equal(first.run!.attempt);
  });
});
