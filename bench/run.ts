// `npm run bench`: runs every measure on each back-end through the real gRPC server, each next to a baseline
// measured in the same run on the same data; prints a table (stdout) and writes a JSON result.
import { startBackend, type Backend } from './backend.js';
import { ClusteredVectors, metricWorld } from './data.js';
import { call } from './grpc.js';
import { machineInfo } from './machine.js';
import type { Measure } from './measure.js';
import { measureConcurrency } from './measures/concurrency.js';
import { measureHalfvec } from './measures/halfvec.js';
import { measureLearningRun, measureVirality } from './measures/learning.js';
import { measureMetricIngest, measureUnaryWrite, registerWorld } from './measures/metrics.js';
import { measureRecommend } from './measures/recommend.js';
import { measureCrossModal } from './measures/cross-modal.js';
import { measureFusion } from './measures/fusion.js';
import { measureBulkIngest } from './measures/bulk.js';
import { measureCliStartup, measureFootprint } from './measures/footprint.js';
import { exactResults, measureFiltered, measureGrpcOverhead, measureRecallAndSpeed } from './measures/search.js';
import { loadCollection, measureVectorIngest } from './measures/vectors.js';
import { parseOptions, type BackendName, type BenchOptions, type StageKey } from './options.js';
import { traceSearch, traceTable, type TraceResult } from './trace.js';
import { table, writeResult, type BackendResult, type BenchResult } from './report.js';
import { nowMs, progress } from './stats.js';

const DATA_SEED = 1;
const QUERY_SEED = 2;

/** A day before today that no earlier run on the same database used (the learning run reads a whole day). */
function learningDay(): string {
  const offsetDays = Math.floor(Date.now() / 1000) % 3000;
  return new Date(Date.UTC(2015, 0, 1) + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

async function runBackend(name: BackendName, options: BenchOptions): Promise<BackendResult> {
  const started = nowMs();
  const measures: Measure[] = [];
  let trace: TraceResult | undefined;
  const errors: BackendResult['errors'] = [];
  const wanted = (key: StageKey) => !options.only || options.only.has(key);
  const stage = async (label: string, key: StageKey | undefined, fn: () => Promise<Measure[]>) => {
    if (key && !wanted(key)) return;
    try {
      measures.push(...(await fn()));
    } catch (err) {
      progress(`${name}: ${label} failed: ${(err as Error).stack ?? err}`);
      errors.push({ stage: label, message: (err as Error).message });
    }
  };
  const versions = options.footprintOnly
    ? { database: 'not measured', pgvector: 'not measured' }
    : await runMeasures(name, options, stage, wanted, (t) => {
        trace = t;
      });
  // The footprint last, on its own server process (compiled, as deployed) with the same sizes of workload.
  const space = ClusteredVectors.forCount(options.vectorCount, options.dimension);
  const world = metricWorld(`fp${Date.now().toString(36)}`, footprintDay(), options.metricRecords);
  await stage('CLI start-up', 'footprint', measureCliStartup);
  await stage('footprint', 'footprint', () =>
    measureFootprint(name, options.databaseUrl, space.generate(options.vectorCount, DATA_SEED), world, world.posts * world.observations * 2),
  );
  return { backend: name, ...versions, durationS: (nowMs() - started) / 1000, measures, errors, ...(trace ? { trace } : {}) };
}

/** The day the footprint's learning run reads: the day before the other measures' (its records apart from theirs). */
function footprintDay(): string {
  const day = new Date(`${learningDay()}T00:00:00Z`);
  return new Date(day.getTime() - 86_400_000).toISOString().slice(0, 10);
}

type Stage = (label: string, key: StageKey | undefined, fn: () => Promise<Measure[]>) => Promise<void>;

/** Every measure but the footprint, on the back-end's server; returns the versions of the database and pgvector. */
async function runMeasures(
  name: BackendName,
  options: BenchOptions,
  stage: Stage,
  wanted: (key: StageKey) => boolean,
  onTrace: (trace: TraceResult) => void,
): Promise<Backend['versions']> {
  progress(`${name}: starting the server`);
  const backend: Backend = await startBackend(name, options.databaseUrl);
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const names = { vector: `bench_${runId}_vec`, halfvec: `bench_${runId}_half`, bulk: `bench_${runId}_bulk`, vectorTable: '' };
  try {
    progress(`${name}: generating ${options.vectorCount} clustered ${options.dimension}-d vectors`);
    const space = ClusteredVectors.forCount(options.vectorCount, options.dimension);
    const vectors = space.generate(options.vectorCount, DATA_SEED);
    const queryCount = options.mode === 'full' ? 100 : Math.min(50, options.reps);
    const queries = space.generate(queryCount, QUERY_SEED);

    const searching =
      (['ingest', 'recall', 'overhead', 'filtered', 'bulk', 'recommend', 'halfvec', 'concurrency'] as const).some(wanted) || options.traceCalls > 0;
    if (wanted('ingest')) {
      await stage('vector ingest', undefined, async () => {
        const { table: t, measures: m } = await measureVectorIngest(backend, names.vector, vectors);
        names.vectorTable = t;
        return m;
      });
    } else if (searching) {
      await stage('vector load', undefined, async () => {
        names.vectorTable = await loadCollection(backend, names.vector, vectors);
        return [];
      });
    }
    let exact: { ids: string[][]; ms: number[] } | undefined;
    let vectorRecall = Number.NaN;
    // Exact results are the recall baseline of three stages.
    const needsExact = (['recall', 'bulk', 'halfvec'] as const).some(wanted);
    await stage('recall and HNSW speed', needsExact ? undefined : 'recall', async () => {
      progress(`${name}: ${queries.length} exact searches (the recall baseline), then HNSW at ef_search 100 and 40`);
      exact = await exactResults(backend, names.vector, queries);
      const r = await measureRecallAndSpeed(backend, names.vector, queries, exact);
      vectorRecall = r.recallDefault;
      return wanted('recall') ? r.measures : [];
    });
    await stage('gRPC against direct SQL', 'overhead', () => measureGrpcOverhead(backend, names.vector, names.vectorTable, queries, options.reps));
    if (options.traceCalls > 0) {
      await stage('search trace', undefined, async () => {
        onTrace(await traceSearch(backend, names.vector, names.vectorTable, queries, options.traceCalls));
        return [];
      });
    }
    await stage('filtered search', 'filtered', () => measureFiltered(backend, names.vector, queries, options.reps));
    await stage('bulk ingest until searchable', 'bulk', () => measureBulkIngest(backend, names.bulk, vectors, queries, exact!.ids));
    await stage('recommend', 'recommend', () => measureRecommend(backend, names.vector, options.vectorCount, queries, options.reps));
    await stage('cross-modal search', 'crossmodal', () => measureCrossModal(backend, runId, options.vectorCount, options.reps));
    await stage('fusion with rescore', 'fusion', () => measureFusion(backend, runId, options.vectorCount, options.reps));
    await stage('halfvec', 'halfvec', () => measureHalfvec(backend, names, vectors, queries, exact!.ids, vectorRecall));
    await stage('concurrency', 'concurrency', () => measureConcurrency(backend, names.vector, options.dimension, space.clusters, options.concurrencySeconds));

    const world = metricWorld(`bench${runId}`, learningDay(), options.metricRecords);
    const recordCount = world.posts * world.observations * 2;
    await stage('metric ingest', (['metrics', 'unary', 'learning', 'virality'] as const).some(wanted) ? undefined : 'metrics', async () => {
      progress(`${name}: registering ${world.posts} posts (set-up)`);
      await registerWorld(backend, world);
      const m = await measureMetricIngest(backend, world, recordCount);
      return wanted('metrics') ? m : [];
    });
    await stage('unary metric write', 'unary', () => measureUnaryWrite(backend, world, options.reps));
    // The live-post measure needs the forecast model the learning run learns: the run goes first, unmeasured if only 'virality' is wanted.
    await stage('learning run', wanted('virality') ? undefined : 'learning', async () => {
      const m = await measureLearningRun(backend, world, recordCount);
      return wanted('learning') ? m : [];
    });
    await stage('virality prediction', 'virality', () => measureVirality(backend, options.reps, world));
  } finally {
    for (const collection of [names.vector, names.halfvec, names.bulk])
      await call(backend.embedding, backend.embedding.deleteCollection, { name: collection }).catch(() => undefined);
    await backend.stop();
  }
  return backend.versions;
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const result: BenchResult = {
    startedAt: new Date().toISOString(),
    mode: options.mode,
    options: {
      backends: options.backends,
      mode: options.mode,
      vectorCount: options.vectorCount,
      dimension: options.dimension,
      metricRecords: options.metricRecords,
      reps: options.reps,
      concurrencySeconds: options.concurrencySeconds,
      footprintOnly: options.footprintOnly,
      only: options.only && [...options.only],
      traceCalls: options.traceCalls,
    },
    machine: machineInfo(),
    backends: [],
  };
  for (const name of options.backends) {
    const backendResult = await runBackend(name, options);
    result.backends.push(backendResult);
    process.stdout.write(`\n${table(backendResult)}\n`);
    if (backendResult.trace) process.stdout.write(`\n${traceTable(backendResult.trace)}\n`);
  }
  const path = writeResult(result, options.outPath);
  const m = result.machine;
  process.stdout.write(`\nmachine: ${m.cpuModel}, ${m.cores} cores, load ${m.loadAverage1m}, Node ${m.node}\nresult: ${path}\n`);
  return result.backends.some((b) => b.errors.length > 0) ? 1 : 0;
}

process.exitCode = await main();
