// Two concurrent client processes against one: queries per second of HNSW searches through gRPC.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../backend.js';
import { ratioMeasure, type Measure } from '../measure.js';
import { progress } from '../stats.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), '..', 'search-worker.ts');

function runWorker(args: string[]): Promise<{ count: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`search worker exited with ${code}`))));
  });
}

/** Total qps of `clients` processes searching at once for `seconds`. */
async function qps(backend: Backend, collection: string, dimension: number, clusters: number, clients: number, seconds: number): Promise<number> {
  // NOTE: the start time leaves room for the worker processes to load and connect, so they search together.
  const startAt = Date.now() + 4000;
  const results = await Promise.all(
    Array.from({ length: clients }, (_, i) =>
      runWorker([backend.address, collection, String(dimension), String(clusters), String(1000 + i), String(seconds), String(startAt)]),
    ),
  );
  return results.reduce((sum, r) => sum + r.count / r.seconds, 0);
}

export async function measureConcurrency(backend: Backend, collection: string, dimension: number, clusters: number, seconds: number): Promise<Measure[]> {
  progress(`${backend.name}: one client process searching for ${seconds} s, then two`);
  const one = await qps(backend, collection, dimension, clusters, 1, seconds);
  const two = await qps(backend, collection, dimension, clusters, 2, seconds);
  return [
    ratioMeasure(
      {
        id: 'concurrency.two_clients_qps',
        name: 'two concurrent client processes (HNSW search)',
        value: two,
        unit: 'queries/s',
        baseline: one,
        baselineName: 'one client process',
        note: backend.name === 'pglite' ? 'PGlite has one connection: calls queue' : undefined,
      },
      '>=',
      1.6,
    ),
  ];
}
