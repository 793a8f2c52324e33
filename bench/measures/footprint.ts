// Footprint: what the service costs a small machine. The server runs as a process of its own from the compiled
// build, as `npm start` runs it (the bench's own memory is not counted): time to SERVING (first start on an empty
// database, then a restart), RSS and V8 heap idle, RSS peaks while the vector and the metric streams and a
// learning run go through it, RSS after learning; and the CLI's time to its first output against a bare node.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials } from '@grpc/grpc-js';
import { clientStreamCall } from '../../src/client-calls.js';
import { EmbeddingServiceClient, Precision } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { LearningServiceClient } from '../../src/gen/stakazo/ml/v1/learning.js';
import { MetricsServiceClient } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { CLIENT_OPTIONS, ensureDatabase, freePort, startServerProcess, type ServerProcess } from '../backend.js';
import { contentIdOf, durationOf, platformOf, postIdOf, publishTimeOf, type MetricWorld } from '../data.js';
import { call } from '../grpc.js';
import { infoMeasure, ratioMeasure, valueMeasure, type Measure } from '../measure.js';
import type { BackendName } from '../options.js';
import { nowMs, percentile, progress } from '../stats.js';
import { messages } from './metrics.js';
import { newCollection, streamVectors } from './vectors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'stakazo-ml.js');
/** What `npm start` runs (bin/stakazo-ml.js serve: the build in dist/, rebuilt first when stale). */
const SERVE = [CLI, 'serve'];
/** Targets of the footprint issue (2-core CI machine). */
const TARGETS = { idleRssMb: { pglite: 250, postgres: 120 }, peakRssMb: 500, cliHelpRatio: 5, firstStartPeakRssMb: 350 };
const CLI_REPS = 7;
const REGISTRATIONS_IN_FLIGHT = 8;

/** The process's memory from /proc (Linux), in MB: resident now, and the peak since start or the last reset. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** Resets the process's peak RSS (VmHWM) to its current RSS, so the next peak read is the peak of one phase. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** V8's heap in use and the memory outside it (buffers, and PGlite's WebAssembly memory), MB, from /metrics. */
async function heapOf(httpPort: number): Promise<{ heapMb: number; externalMb: number }> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^stakazo_${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN) / 1048576;
  return { heapMb: gauge('nodejs_heap_size_used_bytes'), externalMb: gauge('nodejs_external_memory_bytes') };
}

/** Milliseconds from spawning `node args` to its first byte of output (or its exit, when it prints nothing). */
function timeToFirstOutput(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = nowMs();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'silent' } });
    let done = false;
    const finish = () => {
      if (!done) resolve(nowMs() - started);
      done = true;
    };
    child.stdout.once('data', finish);
    child.stderr.once('data', finish);
    child.once('exit', finish);
    child.once('error', reject);
  });
}

/** Median time to first output of `reps` runs, after one untimed run (which also builds dist/ when stale). */
async function medianFirstOutput(args: string[], reps = CLI_REPS): Promise<number> {
  await timeToFirstOutput(args);
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) samples.push(await timeToFirstOutput(args));
  return percentile(samples, 0.5);
}

/** The CLI's start-up: `stakazo-ml --help` and a usage error against `node -e 0`, run back to back. */
export async function measureCliStartup(): Promise<Measure[]> {
  progress(`cli: time to first output, ${CLI_REPS} runs each (the first run builds dist/ when stale)`);
  const help = await medianFirstOutput([CLI, '--help']);
  const usageError = await medianFirstOutput([CLI, 'learn']);
  const bare = await medianFirstOutput(['-e', '0']);
  return [
    ratioMeasure(
      {
        id: 'cli.help_first_output',
        name: 'CLI `stakazo-ml --help`, time to first output (median)',
        value: help,
        unit: 'ms',
        baseline: bare,
        baselineName: 'node -e 0',
      },
      '<=',
      TARGETS.cliHelpRatio,
    ),
    infoMeasure({
      id: 'cli.usage_error_first_output',
      name: 'CLI usage error (`stakazo-ml learn`), time to first output (median)',
      value: usageError,
      unit: 'ms',
      baseline: bare,
      baselineName: 'node -e 0',
      ratio: usageError / bare,
    }),
  ];
}

/** Registers the world's content and posts through the server (RegisterContent, RegisterPost), a few in flight. */
async function registerThroughServer(metrics: MetricsServiceClient, world: MetricWorld): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let p = next++; p < world.posts; p = next++) {
      await call(metrics, metrics.registerContent, {
        content: {
          contentId: contentIdOf(world, p),
          durationS: durationOf(p),
          features: {
            qualityScore: (p % 100) / 100,
            aestheticScore: ((p * 37) % 100) / 100,
            captionLengthChars: p % 200,
            ctaInFirst5s: p % 2 === 0,
            hashtagCount: p % 8,
          },
          metadata: undefined,
          createTime: undefined,
          updateTime: undefined,
        },
      });
      await call(metrics, metrics.registerPost, {
        post: {
          postId: postIdOf(world, p),
          contentId: contentIdOf(world, p),
          platform: platformOf(p),
          account: 'bench',
          publishTime: publishTimeOf(world, p),
          timeZone: 'UTC',
          createTime: undefined,
          updateTime: undefined,
        },
      });
    }
  };
  await Promise.all(Array.from({ length: REGISTRATIONS_IN_FLIGHT }, worker));
}

interface Phase {
  rssMb: number;
  peakMb: number;
}

/** Runs `work` and returns the server's RSS after it and its peak during it. */
async function phase(server: ServerProcess, work: () => Promise<unknown>): Promise<Phase> {
  resetPeak(server.pid);
  await work();
  return memoryOf(server.pid);
}

const mb = (fields: Omit<Measure, 'pass' | 'target' | 'unit'>) => infoMeasure({ ...fields, unit: 'MB' });

/**
 * The server's footprint on one back-end, over the bench's quick workload (the same vectors, metric world and
 * learning run as the other measures, on a database of its own for PGlite).
 */
export async function measureFootprint(
  name: BackendName,
  databaseUrl: string,
  vectors: readonly Float32Array[],
  world: MetricWorld,
  recordCount: number,
): Promise<Measure[]> {
  if (name === 'postgres') await ensureDatabase(databaseUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'stakazo-bench-footprint-'));
  const httpPort = await freePort();
  const env = {
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    HTTP_PORT: String(httpPort),
    DATA_DIR: dataDir,
    DATABASE_URL: name === 'postgres' ? databaseUrl : '',
    SCHEDULER_ENABLED: 'false',
    SHUTDOWN_GRACE_MS: '2000',
    LIMIT_MAX_COLLECTIONS: '1000',
  };
  const collection = `${world.prefix}_footprint`;
  // NOTE: an empty template folder, so the first start makes the template (a child process runs initdb and the
  // migrations) as on a machine that never ran the service; a second new folder is then a copy of it.
  const templateDir = mkdtempSync(join(tmpdir(), 'stakazo-bench-template-'));
  const newFolder = mkdtempSync(join(tmpdir(), 'stakazo-bench-footprint-new-'));
  let server: ServerProcess | undefined;
  try {
    progress(`${name}: footprint — first start of the compiled server${name === 'pglite' ? ' on an empty data folder, no template yet' : ''}`);
    server = await startServerProcess({ ...env, PGLITE_TEMPLATE_DIR: templateDir }, SERVE);
    const first = { startMs: server.startMs, peakMb: memoryOf(server.pid).peakMb };
    await server.stop();
    let another: { startMs: number; peakMb: number } | undefined;
    if (name === 'pglite') {
      progress(`${name}: footprint — start on another empty data folder (a copy of the template)`);
      server = await startServerProcess({ ...env, DATA_DIR: newFolder, PGLITE_TEMPLATE_DIR: templateDir }, SERVE);
      another = { startMs: server.startMs, peakMb: memoryOf(server.pid).peakMb };
      await server.stop();
    }
    progress(`${name}: footprint — restart, idle, then vector stream, metric stream and learning run through it`);
    server = await startServerProcess(env, SERVE);
    const running = server;
    await new Promise((r) => setTimeout(r, 2000));
    const idle = { ...memoryOf(running.pid), ...(await heapOf(httpPort)) };
    const address = `127.0.0.1:${running.port}`;
    const insecure = credentials.createInsecure();
    const embedding = new EmbeddingServiceClient(address, insecure, CLIENT_OPTIONS);
    const metrics = new MetricsServiceClient(address, insecure, CLIENT_OPTIONS);
    const learning = new LearningServiceClient(address, insecure, CLIENT_OPTIONS);
    try {
      await newCollection({ embedding }, collection, vectors[0]!.length, Precision.PRECISION_FLOAT32);
      const vectorStream = await phase(running, () => streamVectors({ embedding }, collection, vectors));
      await registerThroughServer(metrics, world);
      const metricStream = await phase(running, () =>
        clientStreamCall(
          metrics,
          metrics.streamMetrics,
          messages(world, () => undefined),
        ),
      );
      const learningRun = await phase(running, () => call(learning, learning.runDailyLearning, { day: world.day, force: true }, 1_800_000));
      const afterLearning = { ...learningRun, ...(await heapOf(httpPort)) };
      await call(embedding, embedding.deleteCollection, { name: collection }).catch(() => undefined);
      const peak = Math.max(idle.peakMb, vectorStream.peakMb, metricStream.peakMb, learningRun.peakMb);
      const idleTarget = TARGETS.idleRssMb[name];
      return [
        infoMeasure({
          id: 'footprint.first_start',
          name: `first start to SERVING (compiled; ${name === 'pglite' ? 'empty data folder, no template: a child process runs initdb and the migrations' : 'migrations'})`,
          value: first.startMs / 1000,
          unit: 's',
          note: `peak RSS ${Math.round(first.peakMb)} MB`,
        }),
        valueMeasure(
          {
            id: 'footprint.first_start_peak_rss',
            name: `server RSS peak of the first start${name === 'pglite' ? ' (initdb runs in a child process, not counted)' : ''}`,
            value: first.peakMb,
            unit: 'MB',
          },
          '<=',
          TARGETS.firstStartPeakRssMb,
        ),
        ...(another
          ? [
              infoMeasure({
                id: 'footprint.new_folder_start',
                name: 'start to SERVING on another empty data folder (a copy of the template)',
                value: another.startMs / 1000,
                unit: 's',
                note: `peak RSS ${Math.round(another.peakMb)} MB`,
              }),
            ]
          : []),
        infoMeasure({ id: 'footprint.start', name: 'restart to SERVING (compiled, migrated database)', value: running.startMs / 1000, unit: 's' }),
        valueMeasure(
          {
            id: 'footprint.idle_rss',
            name: 'server RSS idle after start',
            value: idle.rssMb,
            unit: 'MB',
            note: `V8 heap ${Math.round(idle.heapMb)} MB, external ${Math.round(idle.externalMb)} MB`,
          },
          '<=',
          idleTarget,
        ),
        mb({ id: 'footprint.idle_heap', name: 'server V8 heap in use, idle', value: idle.heapMb }),
        mb({ id: 'footprint.vector_stream_peak', name: `server RSS peak during the vector stream (${vectors.length} points)`, value: vectorStream.peakMb }),
        mb({ id: 'footprint.metric_stream_peak', name: `server RSS peak during the metric stream (${recordCount} records)`, value: metricStream.peakMb }),
        mb({ id: 'footprint.learning_peak', name: 'server RSS peak during the learning run', value: learningRun.peakMb }),
        mb({
          id: 'footprint.after_learning_rss',
          name: 'server RSS after the learning run',
          value: afterLearning.rssMb,
          note: `V8 heap ${Math.round(afterLearning.heapMb)} MB, external ${Math.round(afterLearning.externalMb)} MB`,
        }),
        valueMeasure(
          { id: 'footprint.peak_rss', name: 'server RSS peak over the workload (after the restart)', value: peak, unit: 'MB' },
          '<=',
          TARGETS.peakRssMb,
        ),
      ];
    } finally {
      embedding.close();
      metrics.close();
      learning.close();
    }
  } finally {
    await server?.stop();
    for (const dir of [dataDir, newFolder, templateDir]) rmSync(dir, { recursive: true, force: true });
  }
}

/** Every footprint measure id per back-end (the CLI's are in `CLI_MEASURE_IDS`). */
export const FOOTPRINT_MEASURE_IDS = [
  'footprint.first_start',
  'footprint.first_start_peak_rss',
  'footprint.new_folder_start',
  'footprint.start',
  'footprint.idle_rss',
  'footprint.idle_heap',
  'footprint.vector_stream_peak',
  'footprint.metric_stream_peak',
  'footprint.learning_peak',
  'footprint.after_learning_rss',
  'footprint.peak_rss',
  'cli.help_first_output',
  'cli.usage_error_first_output',
] as const;
