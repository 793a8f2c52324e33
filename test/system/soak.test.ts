// The soak in its short mode (~10 s): two client processes, mixed RPCs, no failed call, flat server heap.
// No latency assertions: CI machines are shared; `npm run soak` runs the full 60 s and reports p50/p99.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { BACKEND } from '../helpers/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe(`soak, short mode (${BACKEND})`, () => {
  it('runs 10 s of mixed RPCs from two client processes with zero failures and a flat heap', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'soak.ts'), '--seconds', '10'], {
      env: { ...process.env, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output).to.equal(0);
    const line = output.split('\n').find((l) => l.startsWith('SOAK_RESULT '));
    expect(line, output).to.not.equal(undefined);
    const result = JSON.parse(line!.slice('SOAK_RESULT '.length)) as { failures: number; calls: number; latency: Array<{ rpc: string }> };
    expect(result.failures).to.equal(0);
    expect(result.latency.map((r) => r.rpc)).to.include.members([
      'Upsert',
      'UpsertStream',
      'Search',
      'RecordMetrics',
      'StreamMetrics',
      'QueryMetrics',
      'ListLearningRuns',
    ]);
    expect(result.calls).to.be.greaterThan(50);
  });
});
