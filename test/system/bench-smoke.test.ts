// Smoke test of `npm run bench`: the quick mode on a tiny size still runs end to end and writes a well-formed
// JSON with every measure. Benchmarks are not tests: no value or timing is checked here.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { MEASURE_IDS } from '../../bench/measure.js';
import { FOOTPRINT_MEASURE_IDS } from '../../bench/measures/footprint.js';
import type { BenchResult } from '../../bench/report.js';

const run = promisify(execFile);

describe('bench (smoke, quick mode, tiny size, PGlite)', function () {
  // NOTE: the footprint measures start the compiled server twice (the first on an empty PGlite folder: initdb).
  this.timeout(600_000);

  it('writes a JSON result with every measure and a table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stakazo-bench-smoke-'));
    try {
      const out = join(dir, 'result.json');
      // NOTE: PGlite only, so the bench's learning run never touches a shared test database's default tenant.
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--quick', '--backend', 'pglite', '--size', '200', '--records', '400', '--reps', '5', '--out', out],
        { env: { ...process.env, DATABASE_URL: '' }, maxBuffer: 16 * 1024 * 1024 },
      );
      const result = JSON.parse(readFileSync(out, 'utf8')) as BenchResult;
      expect(result.mode).to.equal('quick');
      expect(result.machine.cores).to.be.a('number');
      expect(result.backends).to.have.length(1);
      const [pglite] = result.backends;
      expect(pglite!.errors).to.deep.equal([]);
      expect(pglite!.measures.map((m) => m.id)).to.have.members([...MEASURE_IDS, ...FOOTPRINT_MEASURE_IDS]);
      for (const m of pglite!.measures) {
        expect(m.value, m.id).to.be.a('number');
        expect(m.target, m.id).to.be.a('string');
        expect([true, false, null], m.id).to.include(m.pass);
        if (m.baseline !== undefined) expect(m.baseline, m.id).to.be.a('number');
      }
      expect(stdout).to.include('| measure | value | baseline (same run) | ratio | target | result |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
