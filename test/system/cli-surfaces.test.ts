// The command line as a person meets it: --version, one-line input errors that name the flag (tenant names too, before
// any database work), and the read-only commands beside a running server: `report` is asked of the server (embedded
// database) or reads the shared database (Postgres); `export` on an embedded folder names the RPC and address to use.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { seedDemo } from '../../src/demo/seed.js';
import { runCliAsync } from '../helpers/cli.js';
import { BACKEND, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const DATABASE_URL = process.env.DATABASE_URL ?? '';

describe(`command line surfaces (${BACKEND})`, function () {
  this.timeout(180_000);
  let server: TestServer;
  let tenant: string;
  let day: string;

  before(async () => {
    server = await startTestServer();
    tenant = uniq('cli');
    const summary = await seedDemo(server.running.services, server.config, { tenantId: tenant, days: 1, postsPerDay: 12 }, { phase: () => () => undefined });
    await server.running.services.learning.backfill(tenant, summary.lastObservedDay, summary.lastObservedDay, 'all');
    day = summary.lastObservedDay;
  });
  after(async () => server?.stop());

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const run = await runCliAsync(server.config.dataDir, DATABASE_URL, '--version');
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal(`stakazo-ml ${version}\n`);
  });

  it('a bad tenant name is one line naming the flag, for every command that takes one', async () => {
    for (const args of [
      ['seed-demo', '--tenant', 'Bad Tenant!'],
      ['tokens', 'create', '--tenant', 'Bad Tenant!'],
      ['report', '--day', day, '--tenant', 'Bad Tenant!'],
      ['export', '--family', 'retention', '--format', 'csv', '--out', join(tmpdir(), `${uniq()}.csv`), '--tenant', 'Bad Tenant!'],
    ]) {
      const run = await runCliAsync(server.config.dataDir, DATABASE_URL, ...args);
      expect(run.code, args.join(' ')).to.equal(2);
      const [first] = run.stderr.split('\n');
      expect(first, args.join(' ')).to.equal(
        'stakazo-ml: --tenant "Bad Tenant!" must be 1..63 characters of a-z, 0-9, "_" or "-", starting with a letter or digit',
      );
      expect(run.stderr, args.join(' ')).to.not.contain('violates');
    }
  });

  it('report works beside the running server', async () => {
    const out = join(tmpdir(), `${uniq('report')}.html`);
    try {
      const run = await runCliAsync(server.config.dataDir, DATABASE_URL, 'report', '--day', day, '--tenant', tenant, '--out', out);
      expect(run.code, run.stderr).to.equal(0);
      if (BACKEND === 'pglite') expect(run.stdout).to.contain(`from the running server (pid ${process.pid})`);
      expect(readFileSync(out, 'utf8')).to.contain(tenant).and.to.contain('<canvas id="chart-clusters">');
    } finally {
      rmSync(out, { force: true });
    }
  });

  it('export beside a server on the embedded folder names the RPC and the address to use', async function () {
    if (BACKEND !== 'pglite') this.skip(); // on Postgres the CLI shares the database: export.test.ts covers it
    const out = join(tmpdir(), `${uniq('export')}.csv`);
    const run = await runCliAsync(server.config.dataDir, DATABASE_URL, 'export', '--family', 'retention', '--format', 'csv', '--out', out, '--tenant', tenant);
    expect(run.code).to.equal(1);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.contain('stakazo.ml.v1.MetricsService/ExportMetrics').and.to.contain(`127.0.0.1:${server.running.port}`);
    expect(run.stderr).to.contain('METRIC_FAMILY_RETENTION');
    expect(existsSync(out)).to.equal(false);
  });
});
