// `stakazo-ml export` as a user runs it: records written over gRPC, the server stopped (an embedded folder has one
// process at a time), then the CLI exports a family and day range to CSV, NDJSON and Parquet; each file is read
// back and compared with what was sent.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import type { MetricRecord } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { runCli } from '../helpers/cli.js';
import { retentionCurve } from '../helpers/metrics-fixtures.js';
import { BACKEND, bearer, call, seedDataDir, startTestServer, uniq } from '../helpers/server.js';

const DAY_MS = 86_400_000;
const START_MS = Date.parse('2026-03-01T00:00:00Z');

/** A retention record of `postId` on day `day` (0 = 2026-03-01) at hour `hour`, with distinguishable values. */
function retention(recordId: string, postId: string, day: number, hour: number, views: number): MetricRecord {
  return {
    recordId,
    observeTime: new Date(START_MS + day * DAY_MS + hour * 3_600_000),
    payload: {
      $case: 'retention',
      value: { postId, views, averageViewDurationS: 7.5, completionRate: 0.25, rewatchRate: 0.125, skipRateFirst3s: 0.5, retentionCurve: retentionCurve() },
    },
  };
}

/** Parses RFC 4180 CSV (quoted fields with doubled quotes and line breaks; rows end with CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  return rows;
}

describe(`export command (${BACKEND})`, function () {
  this.timeout(300_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'stakazo-export-'));
  const outDir = mkdtempSync(join(tmpdir(), 'stakazo-export-out-'));
  const tenant = uniq('exp');
  const cli = (...args: string[]) => runCli(dataDir, process.env.DATABASE_URL ?? '', ...args);
  /** The records expected in the 2026-03-02..03 TikTok export, in export order. */
  let expected: MetricRecord[] = [];

  before(async () => {
    await seedDataDir(dataDir);
    const server = await startTestServer({ DATA_DIR: dataDir, AUTH_CACHE_MS: '0' });
    const repo = new TenancyRepository(server.running.db);
    try {
      const md = bearer((await new TenancyService(repo).createToken(tenant, 'export test')).token);
      const m = server.metrics;
      const content = { durationS: 30, features: undefined, metadata: undefined, createTime: undefined, updateTime: undefined };
      await call(m, m.registerContent, { content: { ...content, contentId: 'c1' } }, md);
      const post = { contentId: 'c1', account: 'sat1', publishTime: new Date(START_MS), timeZone: '', createTime: undefined, updateTime: undefined };
      await call(m, m.registerPost, { post: { ...post, postId: 'tt-1', platform: Platform.PLATFORM_TIKTOK } }, md);
      await call(m, m.registerPost, { post: { ...post, postId: 'ig-1', platform: Platform.PLATFORM_INSTAGRAM } }, md);
      const records: MetricRecord[] = [];
      // Four days × 3 records a day on TikTok (one id with a comma and quotes), one a day on Instagram.
      for (let day = 0; day < 4; day++) {
        for (let k = 0; k < 3; k++) records.push(retention(k === 1 ? `tt,"${day}"` : `tt-${day}-${k}`, 'tt-1', day, 6 * k + 1, 1000 * day + k));
        records.push(retention(`ig-${day}`, 'ig-1', day, 2, 5));
      }
      // Past one page of ExportMetrics (1,000 records): day 2 gets 1,500 more TikTok records.
      for (let i = 0; i < 1500; i++) records.push(retention(`bulk-${String(i).padStart(4, '0')}`, 'tt-1', 2, 20, i));
      for (let i = 0; i < records.length; i += 500) await call(m, m.recordMetrics, { records: records.slice(i, i + 500), allOrNothing: true }, md);
      expected = records
        .filter((r) => r.recordId.startsWith('tt') || r.recordId.startsWith('bulk'))
        .filter((r) => r.observeTime!.getTime() >= START_MS + DAY_MS && r.observeTime!.getTime() < START_MS + 3 * DAY_MS)
        .sort((a, b) => a.observeTime!.getTime() - b.observeTime!.getTime() || (a.recordId < b.recordId ? -1 : 1));
    } finally {
      // NOTE: a token left behind would switch a shared database out of single-tenant mode for the other tests.
      await repo.deleteTokensOf(tenant);
      await server.stop();
    }
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  });

  const exportTo = (format: string) => {
    const out = join(outDir, `retention.${format}`);
    const args = ['--family', 'retention', '--from', '2026-03-02', '--to', '2026-03-03', '--platform', 'tiktok', '--tenant', tenant];
    const result = cli('export', ...args, '--format', format, '--out', out);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(`wrote ${expected.length} retention records to ${out} (${format})`);
    // Not a terminal: plain progress lines on stderr, ending with the summary; no partial file left.
    expect(result.stderr).to.match(new RegExp(`^export ${expected.length}/${expected.length}`, 'm'));
    expect(
      readdirSync(outDir).filter((f) => f.includes('.partial')),
      'a temporary file left behind',
    ).to.deep.equal([]);
    return out;
  };

  it('writes CSV: a header, one row per record of the range and platform, quoting where needed', () => {
    const rows = parseCsv(readFileSync(exportTo('csv'), 'utf8'));
    expect(rows[0]).to.deep.equal([
      'record_id',
      'observe_time',
      'post_id',
      'views',
      'average_view_duration_s',
      'completion_rate',
      'rewatch_rate',
      'skip_rate_first_3s',
      'retention_curve',
    ]);
    expect(rows.length - 1).to.equal(expected.length);
    for (const [i, r] of expected.entries()) {
      const row = rows[i + 1];
      const value = r.payload?.$case === 'retention' ? r.payload.value : undefined;
      expect(row.slice(0, 8)).to.deep.equal([r.recordId, r.observeTime!.toISOString(), 'tt-1', String(value!.views), '7.5', '0.25', '0.125', '0.5']);
      expect(JSON.parse(row[8])).to.deep.equal(retentionCurve());
    }
  });

  it('writes NDJSON: one object per line with the same columns and values', () => {
    const lines = readFileSync(exportTo('ndjson'), 'utf8').split('\n');
    expect(lines.pop()).to.equal('');
    const objects = lines.map((l) => JSON.parse(l));
    expect(objects.map((o) => o.record_id)).to.deep.equal(expected.map((r) => r.recordId));
    expect(objects[0]).to.deep.equal({
      record_id: expected[0].recordId,
      observe_time: expected[0].observeTime!.toISOString(),
      post_id: 'tt-1',
      views: 1000,
      average_view_duration_s: 7.5,
      completion_rate: 0.25,
      rewatch_rate: 0.125,
      skip_rate_first_3s: 0.5,
      retention_curve: retentionCurve(),
    });
  });

  it('writes Parquet that a reader gives back with typed columns', async () => {
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(exportTo('parquet')) });
    expect(rows.map((r) => r.record_id)).to.deep.equal(expected.map((r) => r.recordId));
    for (const [i, r] of expected.entries()) {
      const value = r.payload?.$case === 'retention' ? r.payload.value : undefined;
      expect(rows[i].observe_time.getTime()).to.equal(r.observeTime!.getTime());
      expect(rows[i].views).to.equal(BigInt(value!.views));
      expect(rows[i].completion_rate).to.equal(0.25);
      expect(Array.from(rows[i].retention_curve as number[])).to.deep.equal(retentionCurve());
    }
  });

  it('never writes through a planted link, and refuses an --out that is a link, a folder or a pipe', () => {
    const args = ['--family', 'retention', '--from', '2026-03-02', '--to', '2026-03-03', '--tenant', tenant, '--format', 'ndjson'];
    const victim = join(outDir, 'victim.txt');
    writeFileSync(victim, 'precious');
    // A link planted where a predictable temporary file would be written: never followed.
    const out = join(outDir, 'planted.ndjson');
    symlinkSync(victim, `${out}.partial`);
    const written = cli('export', ...args, '--out', out);
    expect(written.code, written.stderr).to.equal(0);
    expect(readFileSync(victim, 'utf8'), 'the link was followed').to.equal('precious');
    expect(lstatSync(out).isFile()).to.equal(true);
    expect(lstatSync(out).mode & 0o077, 'readable by others').to.equal(0);
    rmSync(`${out}.partial`);

    const link = join(outDir, 'link.ndjson');
    symlinkSync(victim, link);
    const folder = join(outDir, 'a-folder');
    mkdirSync(folder);
    const pipe = join(outDir, 'a-pipe');
    expect(spawnSync('mkfifo', [pipe]).status).to.equal(0);
    for (const [path, kind] of [
      [link, 'a symbolic link'],
      [folder, 'a folder'],
      [pipe, 'not a regular file'],
    ]) {
      const refused = cli('export', ...args, '--out', path);
      expect(refused.code, `${kind}: ${refused.stderr}`).to.equal(2);
      expect(refused.stderr).to.contain(`--out ${path} is ${kind}`);
    }
    expect(lstatSync(link).isSymbolicLink() && lstatSync(pipe).isFIFO() && lstatSync(folder).isDirectory(), 'a special file was replaced').to.equal(true);
    expect(readFileSync(victim, 'utf8')).to.equal('precious');
  });

  it('writes an empty range as a file with no records', async () => {
    const out = join(outDir, 'empty.parquet');
    const result = cli('export', '--family', 'engagement', '--tenant', tenant, '--format', 'parquet', '--out', out);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('wrote 0 engagement records');
    expect(await parquetReadObjects({ file: await asyncBufferFromFile(out) })).to.deep.equal([]);
  });

  it('names the bad option and exits 2', () => {
    const base = ['export', '--tenant', tenant, '--out', join(outDir, 'x.csv')];
    const cases: [string[], RegExp][] = [
      [[...base, '--family', 'likes', '--format', 'csv'], /--family "likes" is not a family \(retention, engagement/],
      [[...base, '--family', 'retention', '--format', 'xlsx'], /--format "xlsx" must be csv, ndjson, parquet/],
      [[...base, '--family', 'retention', '--format', 'csv', '--from', '2026-03-05', '--to', '2026-03-01'], /--to 2026-03-01 is before --from 2026-03-05/],
      [
        ['export', '--family', 'retention', '--format', 'csv', '--out', '/no/such/folder/x.csv'],
        /--out \/no\/such\/folder\/x.csv: the folder \/no\/such\/folder does not exist/,
      ],
      [[...base, '--family', 'retention', '--format', 'csv', '--platform', 'myspace'], /--platform "myspace" is not a platform/],
    ];
    for (const [args, message] of cases) {
      const result = cli(...args);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(message);
    }
    expect(existsSync(join(outDir, 'x.csv'))).to.equal(false);
  });
});
