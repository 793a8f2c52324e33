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
    for (const command of ['serve', 'migrate', 'seed-demo', 'learn', 'report', 'tokens', 'tenant']) expect(help.stdout).to.contain(command);
    const learnHelp = cli('learn', '--help');
    expect(learnHelp.code).to.equal(0);
    expect(learnHelp.stdout)
      .to.match(/usage: stakazo-ml learn/)
      .and.to.contain('--reprocess');
  });

  it('names what is wrong in one line, naming the flag, then points to the help; exits 2 on bad usage', () => {
    const cases: [string[], RegExp, string][] = [
      [['frobnicate'], /^unknown command "frobnicate"/, 'see stakazo-ml --help'],
      [['learn'], /^say which days: --day D, or --from D --to D$/, 'see stakazo-ml learn --help'],
      [['learn', '--day'], /^--day needs a value$/, 'see stakazo-ml learn --help'],
      [['learn', '--day', '2026-02-30'], /^--day "2026-02-30" is not a calendar day/, 'see stakazo-ml learn --help'],
      // Checked by the service, which names its API field (start_day): the CLI names its flag.
      [['learn', '--day', '2999-01-01'], /^--day 2999-01-01 is not over yet/, 'see stakazo-ml learn --help'],
      [['learn', '--from', '2999-01-01', '--to', '2999-01-02'], /^--from 2999-01-01 is not over yet/, 'see stakazo-ml learn --help'],
      [['report', '--day', '2026-01-01', '--colour'], /^Unknown option '--colour'/, 'see stakazo-ml report --help'],
      [
        ['report', '--day', '2026-01-01', '--out', '/missing/dir/r.html'],
        /^--out \/missing\/dir\/r.html: the folder \/missing\/dir does not exist$/,
        'see stakazo-ml report --help',
      ],
      [['seed-demo', '--days', '-3'], /^--days must be a whole number from 1 to 90, got "-3"$/, 'see stakazo-ml seed-demo --help'],
      [['seed-demo', '--days', 'abc'], /^--days must be a whole number from 1 to 90, got "abc"$/, 'see stakazo-ml seed-demo --help'],
      [['seed-demo', '--posts-per-day', '2.5'], /^--posts-per-day must be a whole number from 1 to 1000, got "2.5"$/, 'see stakazo-ml seed-demo --help'],
      [
        ['tenant', 'share-learning', 'default', 'maybe'],
        /^tenant share-learning needs "on" or "off" after the tenant, got "maybe"$/,
        'see stakazo-ml tenant --help',
      ],
      [['tenant', 'rename', 'default'], /^unknown tenant action "rename" \(show or share-learning\)$/, 'see stakazo-ml tenant --help'],
    ];
    for (const [args, message, hint] of cases) {
      const result = cli(...args);
      expect(result.code, args.join(' ')).to.equal(2);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines, args.join(' ')).to.have.length(2);
      expect(lines[0]!.replace(/^stakazo-ml: /, ''), args.join(' ')).to.match(message);
      expect(lines[1], args.join(' ')).to.equal(hint);
    }
  });

  it('says an unreachable database in one line without a stack, and shows the stack with --debug', () => {
    const unreachable = 'postgres://postgres@127.0.0.1:1/nowhere';
    const plain = runCli(dataDir, unreachable, 'tokens', 'list');
    expect(plain.code).to.equal(1);
    expect(plain.stderr.trimEnd().split('\n')).to.deep.equal([
      'stakazo-ml: cannot reach the database at DATABASE_URL (postgres://postgres@127.0.0.1:1/nowhere): connect ECONNREFUSED 127.0.0.1:1',
    ]);
    const debug = runCli(dataDir, unreachable, 'tokens', 'list', '--debug');
    expect(debug.code).to.equal(1);
    expect(debug.stderr)
      .to.match(/cannot reach the database/)
      .and.to.match(/\n\s+at /);
  });

  it('says so when there are no tokens (a fresh embedded database)', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'stakazo-cli-fresh-'));
    try {
      const listed = runCli(fresh, '', 'tokens', 'list');
      expect(listed.code, listed.stderr).to.equal(0);
      expect(listed.stdout).to.match(/^no tokens yet .*stakazo-ml tokens create --tenant T\n$/);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('refuses an unknown tenant with a clear message', () => {
    const result = cli('learn', '--day', '2026-01-01', '--tenant', 'no-such-tenant');
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/unknown tenant "no-such-tenant" \(known: .*default/);
  });

  it('opts a tenant in and out of learning across artists, and refuses an unknown tenant', () => {
    const on = cli('tenant', 'share-learning', 'default', 'on');
    expect(on.code, on.stderr).to.equal(0);
    expect(on.stdout).to.equal('tenant: default\nshare_learning: on\n');
    expect(cli('tenant', 'show', 'default').stdout).to.equal('tenant: default\nshare_learning: on\n');
    expect(cli('tenant', 'share-learning', 'default', 'off').stdout).to.equal('tenant: default\nshare_learning: off\n');
    const unknown = cli('tenant', 'show', 'no-such-tenant-x');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/^stakazo-ml: unknown tenant "no-such-tenant-x"/);
  });

  it('seeds a demo world, learns it, re-learns a day on request and writes its report page', () => {
    const tenant = uniq('demo');
    const seeded = cli('seed-demo', '--days', '3', '--posts-per-day', '12', '--tenant', tenant);
    expect(seeded.code, seeded.stderr).to.equal(0);
    expect(seeded.stdout).to.match(new RegExp(`seeded tenant "${tenant}": 36 posts`));
    expect(seeded.stdout).to.contain('72 accepted, 0 already there, 0 rejected');
    expect(seeded.stdout).to.contain('embeddings in "demo-clip": 36 inserted');
    // --days 3 learns 3 days, ending yesterday.
    expect(seeded.stdout).to.match(/learned 3 of 3 days/);
    // Not a terminal: progress is plain lines on stderr, one per learned day.
    expect(seeded.stderr)
      .to.match(/^register \d+\/36/m)
      .and.to.match(/^learn 3\/3/m);
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
