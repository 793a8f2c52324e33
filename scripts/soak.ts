// npm run soak [-- --seconds N]: a bounded soak. Starts the server on 127.0.0.1 (Postgres when DATABASE_URL is
// set, else PGlite in a temporary directory), runs two client processes with mixed RPCs for N seconds (default
// 60, or SOAK_SECONDS), reports p50/p99 per RPC and the server's retained heap (first vs last third), and exits
// non-zero on any failed call or when the heap grew more than SOAK_MAX_HEAP_GROWTH_MB (default 32).
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, Metadata } from '@grpc/grpc-js';
import { Platform } from '../src/gen/stakazo/ml/v1/common.js';
import { Collection, EmbeddingServiceClient, EmbeddingType } from '../src/gen/stakazo/ml/v1/embedding.js';
import { MetricsServiceClient } from '../src/gen/stakazo/ml/v1/metrics.js';
import { gcNow, heapAfterGc } from './soak/memory.js';
import { latencyTable, memoryTrend, type SoakWorld, type WorkerReport } from './soak/report.js';
import { soakSeconds, startSoakServer } from './soak/server.js';

const WORKERS = 2;
const here = dirname(fileURLToPath(import.meta.url));

function promised<Res>(start: (cb: (err: Error | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => start((err, res) => (err ? reject(err) : resolve(res))));
}

/** A collection with a few hundred points, a content item with three posts, one retention record. */
async function buildWorld(address: string): Promise<SoakWorld> {
  const embedding = new EmbeddingServiceClient(address, credentials.createInsecure());
  const metrics = new MetricsServiceClient(address, credentials.createInsecure());
  const suffix = Date.now().toString(36);
  const world: SoakWorld = {
    collection: `soak-${suffix}`,
    dimension: 64,
    contentId: `soak-content-${suffix}`,
    postIds: [0, 1, 2].map((i) => `soak-post-${suffix}-${i}`),
  };
  await promised((cb) =>
    embedding.createCollection(
      { collection: Collection.fromPartial({ name: world.collection, embeddingType: EmbeddingType.EMBEDDING_TYPE_VISUAL_CLIP, dimension: world.dimension }) },
      cb,
    ),
  );
  await promised((cb) =>
    metrics.registerContent(
      { content: { contentId: world.contentId, durationS: 30, features: undefined, metadata: undefined, createTime: undefined, updateTime: undefined } },
      cb,
    ),
  );
  for (const [i, postId] of world.postIds.entries()) {
    const publishTime = new Date(Date.now() - (i + 1) * 86_400_000);
    await promised((cb) =>
      metrics.registerPost(
        {
          post: {
            postId,
            contentId: world.contentId,
            platform: Platform.PLATFORM_TIKTOK,
            account: 'soak',
            publishTime,
            timeZone: 'UTC',
            createTime: undefined,
            updateTime: undefined,
          },
        },
        cb,
      ),
    );
  }
  const curve = Array.from({ length: 101 }, (_, i) => 1 - i / 128);
  await promised((cb) =>
    metrics.recordMetrics(
      {
        records: [
          {
            recordId: `soak-retention-${suffix}`,
            observeTime: new Date(Date.now() - 60_000),
            payload: {
              $case: 'retention',
              value: {
                postId: world.postIds[0]!,
                views: 1000,
                averageViewDurationS: 9,
                completionRate: 0.3,
                rewatchRate: 0.1,
                skipRateFirst3s: 0.2,
                retentionCurve: curve,
              },
            },
          },
        ],
        allOrNothing: true,
      },
      new Metadata(),
      cb,
    ),
  );
  embedding.close();
  metrics.close();
  return world;
}

function runWorker(address: string, world: SoakWorld, endAt: number, id: number): Promise<WorkerReport> {
  const child = fork(join(here, 'soak', 'worker.ts'), [address, JSON.stringify(world), String(endAt), String(id)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    let report: WorkerReport | undefined;
    child.on('message', (m) => (report = m as WorkerReport));
    child.on('exit', (code) => (report ? resolve(report) : reject(new Error(`soak worker ${id} exited with ${code} and no report`))));
  });
}

async function main(): Promise<number> {
  const seconds = soakSeconds();
  const maxGrowthMb = Number(process.env.SOAK_MAX_HEAP_GROWTH_MB ?? 32);
  const server = await startSoakServer('stakazo-soak-', { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const { running, address } = server;
  try {
    const world = await buildWorld(address);
    await heapAfterGc();
    const samples: number[] = [];
    // One full GC per sample (a few ms of pause each second), so the samples are retained heap, not garbage.
    const sampler = setInterval(() => {
      gcNow();
      samples.push(process.memoryUsage().heapUsed);
    }, 1000);
    const endAt = Date.now() + seconds * 1000;
    console.log(`soak: ${WORKERS} client processes, ${seconds} s, ${running.db.kind} at ${address}`);
    const reports = await Promise.all(Array.from({ length: WORKERS }, (_, id) => runWorker(address, world, endAt, id)));
    clearInterval(sampler);

    const table = latencyTable(reports);
    const failures = reports.flatMap((r) => r.failures);
    const memory = memoryTrend(samples);
    console.log('rpc'.padEnd(22), 'calls'.padStart(7), 'p50 ms'.padStart(9), 'p99 ms'.padStart(9));
    for (const row of table) console.log(row.rpc.padEnd(22), String(row.calls).padStart(7), row.p50Ms.toFixed(1).padStart(9), row.p99Ms.toFixed(1).padStart(9));
    console.log(
      `server heap after GC: first third ${memory.firstThirdMb} MB, last third ${memory.lastThirdMb} MB (growth ${memory.growthMb} MB, limit ${maxGrowthMb} MB; ${samples.length} samples)`,
    );
    console.log(`failures: ${failures.length}`);
    for (const f of failures.slice(0, 20)) console.log(`  ${f.rpc}: code ${f.code} ${f.details}`);
    console.log(
      `SOAK_RESULT ${JSON.stringify({ backend: running.db.kind, seconds, calls: table.reduce((n, r) => n + r.calls, 0), failures: failures.length, latency: table, memory })}`,
    );
    const ok = failures.length === 0 && memory.growthMb <= maxGrowthMb && table.length > 0;
    console.log(ok ? 'soak: OK' : 'soak: FAILED');
    return ok ? 0 : 1;
  } finally {
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`soak: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
