// The command line as a user runs it: a child process per command, exit codes, messages, and the demo world
// seeded, learned and reported on the test back-end (a fresh tenant per run).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../helpers/cli.js';
import { BACKEND, uniq } from '../helpers/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'stakazo-cli-'));

/** Runs `stakazo-ml <args>` on the test back-end. */
const cli = (...args: string[]) => runCli(dataDir, process.env.DATABASE_URL ?? '', ...args);

describe(`cli (${BACKEND})`, () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('explains itself: help lists the commands, --help explains one, both exit 0', () => {
    const help = cli('help');
    expect(help.code).to.equal(0);
    for (const command of ['serve', 'migrate', 'seed-demo', 'learn', 'report', 'tokens']) expect(help.stdout).to.contain(command);
    const learnHelp = cli('learn', '--help');
    expect(learnHelp.code).to.equal(0);
    expect(learnHelp.stdout)
      .to.match(/usage: stakazo-ml learn/)
      .and.to.contain('--reprocess');
  });

  it('names what is wrong and exits 2 on bad usage', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['learn'], /say which days: --day D, or --from D --to D/],
      [['learn', '--day', '2026-02-30'], /--day "2026-02-30" is not a calendar day/],
      [['report', '--day', '2026-01-01', '--colour'], /Unknown option '--colour'/],
    ];
    for (const [args, message] of cases) {
      const result = cli(...args);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(message);
    }
  });

  it('refuses an unknown tenant with a clear message', () => {
    const result = cli('learn', '--day', '2026-01-01', '--tenant', 'no-such-tenant');
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/unknown tenant "no-such-tenant" \(known: .*default/);
  });

  it('seeds a demo world, learns it, re-learns a day on request and writes its report page', () => {
    const tenant = uniq('demo');
    const seeded = cli('seed-demo', '--days', '3', '--posts-per-day', '12', '--tenant', tenant);
    expect(seeded.code, seeded.stderr).to.equal(0);
    expect(seeded.stdout).to.match(new RegExp(`seeded tenant "${tenant}": 36 posts`));
    expect(seeded.stdout).to.contain('72 accepted, 0 already there, 0 rejected');
    expect(seeded.stdout).to.contain('embeddings in "demo-clip": 36 inserted');
    expect(seeded.stdout).to.match(/learned 4 of 4 days/);
    // Not a terminal: progress is plain lines on stderr, one per learned day.
    expect(seeded.stderr)
      .to.match(/^register \d+\/36/m)
      .and.to.match(/^learn 4\/4/m);
    const day = /report --day (\d{4}-\d{2}-\d{2})/.exec(seeded.stdout)![1];

    const again = cli('learn', '--day', day, '--tenant', tenant);
    expect(again.code).to.equal(0);
    expect(again.stdout).to.contain(`${day}  succeeded`).and.to.contain('already learned');
    const forced = cli('learn', '--day', day, '--tenant', tenant, '--reprocess', 'all');
    expect(forced.code).to.equal(0);
    expect(forced.stdout).to.contain(`${day}  succeeded`).and.not.to.contain('already learned');

    const out = join(dataDir, 'report.html');
    const report = cli('report', '--day', day, '--tenant', tenant, '--out', out);
    expect(report.code, report.stderr).to.equal(0);
    const html = readFileSync(out, 'utf8');
    expect(html).to.contain(`<b>${tenant}</b>`).and.to.contain('id="chart-clusters"').and.to.contain('Chart.js');
    expect(html).not.to.match(/<script[^>]+src=/);
  });
});
