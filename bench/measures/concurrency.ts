// Two concurrent client processes against one: queries per second of HNSW searches through gRPC.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../backend.js';
import { ratioMeasure, type Measure } from '../measure.js';
import { progress } from '../stats.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), '..', 'search-worker.ts');

interface Worker {
  /** Resolves once the worker has connected and searched once. */
  ready: Promise<void>;
  /** Tells the worker when to start (ms since the epoch). */
  start(atMs: number): void;
  result: Promise<{ count: number; seconds: number }>;
}

function startWorker(args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.startsWith('ready\n')) markReady();
  });
  const result = new Promise<{ count: number; seconds: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length))) : reject(new Error(`search worker exited with ${code}`))));
  });
  // NOTE: a worker that dies before it is ready rejects `result`; `ready` must not wait for it forever.
  return { ready: Promise.race([ready, result.then(() => undefined)]), start: (atMs) => child.stdin.end(`${atMs}\n`), result };
}

/** Total qps of `clients` processes searching at once for `seconds`. */
async function qps(backend: Backend, collection: string, dimension: number, clusters: number, clients: number, seconds: number): Promise<number> {
  const workers = Array.from({ length: clients }, (_, i) =>
    startWorker([backend.address, collection, String(dimension), String(clusters), String(1000 + i), String(seconds)]),
  );
  // NOTE: every worker has loaded and connected before the clock starts, so they search together.
  await Promise.all(workers.map((w) => w.ready));
  const startAt = Date.now() + 100;
  for (const w of workers) w.start(startAt);
  const results = await Promise.all(workers.map((w) => w.result));
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
