// Bulk ingest until searchable: a stream into a collection whose index waits for the last point (deferred
// indexing), clocked from the first message to INDEX_STATE_READY, against binary COPY into a bare table followed
// by CREATE INDEX with the same settings; searches while the build runs (latency and recall) beside searches after.
import { loadConfig } from '../../src/config.js';
import { IndexState, Precision } from '../../src/gen/stakazo/ml/v1/embedding.js';
import type { Backend } from '../backend.js';
import { call } from '../grpc.js';
import { infoMeasure, ratioMeasure, valueMeasure, type Measure } from '../measure.js';
import { nowMs, percentile, progress, timed } from '../stats.js';
import { grpcSearch, recall } from './search.js';
import { copyPayload, createCollection, streamVectors } from './vectors.js';

/** Pause between the searches sampled while the index builds. */
const SAMPLE_INTERVAL_MS = 250;

const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length);

/** Milliseconds of binary COPY into a bare copy of `table` plus CREATE INDEX (HNSW, default m and ef_construction). */
async function copyThenIndexMs(backend: Backend, table: string, vectors: readonly Float32Array[]): Promise<number> {
  const bare = `bench_bulk_${table}`;
  const payload = copyPayload(vectors);
  const { maintenanceWorkMem, parallelWorkers } = loadConfig(process.env).indexing;
  await backend.direct.query(`drop table if exists ${bare}`);
  await backend.direct.query(`create table ${bare} (like ${table} including defaults including storage)`);
  try {
    await backend.direct.query(`select set_config('maintenance_work_mem', $1, false), set_config('max_parallel_maintenance_workers', $2, false)`, [
      maintenanceWorkMem,
      String(parallelWorkers),
    ]);
    const { ms } = await timed(async () => {
      await backend.direct.copyFrom(`copy ${bare} (id, content_id, embedding, metadata) from stdin (format binary)`, payload);
      await backend.direct.query(`create index on ${bare} using hnsw (embedding vector_cosine_ops) with (m = 16, ef_construction = 128)`);
    });
    return ms;
  } finally {
    await backend.direct.query(`drop table if exists ${bare}`);
  }
}

/**
 * Streams `vectors` into a new collection whose indexing threshold is their count, polls until READY, and runs the
 * queries while the state is BUILDING (Postgres builds concurrently; PGlite's build holds its one connection, so
 * there the during-build figures are mostly empty) and once after.
 */
export async function measureBulkIngest(
  backend: Backend,
  collection: string,
  vectors: readonly Float32Array[],
  queries: readonly Float32Array[],
  exactIds: readonly string[][],
): Promise<Measure[]> {
  const table = await createCollection(backend, collection, vectors[0]!.length, Precision.PRECISION_FLOAT32, vectors.length);
  progress(`${backend.name}: streaming ${vectors.length} vectors into "${collection}" (index deferred to the last point), until READY`);
  const start = nowMs();
  const streamMs = await streamVectors(backend, collection, vectors);
  const duringMs: number[] = [];
  const duringRecall: number[] = [];
  for (let q = 0; ; q = (q + 1) % queries.length) {
    const state = (await call(backend.embedding, backend.embedding.getCollection, { name: collection })).collection!.indexState;
    if (state === IndexState.INDEX_STATE_READY) break;
    if (nowMs() - start > 3_600_000) throw new Error(`"${collection}" not READY after an hour (state ${IndexState[state]})`);
    if (state !== IndexState.INDEX_STATE_BUILDING) {
      await new Promise((resolve) => setTimeout(resolve, 20)); // the build starts right after the stream's last write
      continue;
    }
    const r = await grpcSearch(backend, collection, queries[q]!);
    duringMs.push(r.ms);
    duringRecall.push(recall(r.ids, exactIds[q]!));
    // NOTE: samples, not a load: back-to-back exact searches took a core from the build being clocked.
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_INTERVAL_MS));
  }
  const untilReadyMs = nowMs() - start;
  progress(
    `${backend.name}: READY after ${Math.round(untilReadyMs)} ms (stream ${Math.round(streamMs)} ms); the baseline: COPY into a bare table + CREATE INDEX`,
  );
  const afterMs: number[] = [];
  for (const query of queries) afterMs.push((await grpcSearch(backend, collection, query)).ms);
  const baselineMs = await copyThenIndexMs(backend, table, vectors);
  const perSecond = (ms: number) => (vectors.length * 1000) / ms;
  return [
    ratioMeasure(
      {
        id: 'bulk_ingest.until_ready_points_per_s',
        name: `streamed bulk ingest until READY (${vectors.length} × ${vectors[0]!.length}-d)`,
        value: perSecond(untilReadyMs),
        unit: 'points/s',
        baseline: perSecond(baselineMs),
        baselineName: 'binary COPY into a bare table + CREATE INDEX',
        note: `stream ${Math.round(streamMs)} ms, then the build; vector_ingest.points_per_s is the maintained-insert path on the same vectors`,
      },
      '>=',
      0.7,
    ),
    infoMeasure({
      id: 'bulk_ingest.search_p50_during_build',
      name: `search p50 while the index builds (${duringMs.length} searches)`,
      value: duringMs.length === 0 ? 0 : percentile(duringMs, 0.5),
      note: duringMs.length === 0 ? 'no search ran while BUILDING (0 stands for none)' : undefined,
      unit: 'ms',
      baseline: percentile(afterMs, 0.5),
      baselineName: 'search p50 once READY',
    }),
    valueMeasure(
      {
        id: 'bulk_ingest.recall_during_build',
        name: `recall@10 while the index builds (${duringRecall.length} searches)`,
        value: duringRecall.length === 0 ? 1 : mean(duringRecall),
        unit: '',
        note: duringRecall.length === 0 ? 'no search ran while BUILDING (the build finished first or held the only connection)' : undefined,
      },
      '>=',
      0.99,
      '≥ 0.99',
    ),
  ];
}
