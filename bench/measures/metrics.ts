// Metric ingest: a synthetic day streamed through StreamMetrics against raw binary COPY of the same rows into
// equal tables (copies of the ledger and family tables with their indices), and the unary RecordMetrics p50.
import { BinaryCopyWriter } from '../../src/db/binary-copy.js';
import type { ColumnType, FamilySpec } from '../../src/metrics/families.js';
import type { PreparedRecord } from '../../src/metrics/metrics.types.js';
import { prepared as encoded } from '../../src/metrics/ingest/record-hash.js';
import { isRejection, validateRecord } from '../../src/metrics/ingest/record.validate.js';
import { MetricsServiceService, StreamMetricsRequest, type MetricRecord } from '../../src/gen/stakazo/ml/v1/metrics.js';
import type { Backend } from '../backend.js';
import { batches, contentIdOf, durationOf, metricRecords, platformOf, postIdOf, publishTimeOf, type MetricWorld } from '../data.js';
import { call, clientStreamEncoded } from '../grpc.js';
import { ratioMeasure, valueMeasure, type Measure } from '../measure.js';
import { percentile, progress, latencies, timed } from '../stats.js';

const RECORDS_PER_MESSAGE = 500;
export const PLATFORM_NAMES: Record<number, string> = { 1: 'tiktok', 2: 'instagram', 3: 'youtube' };
const TENANT = 'default';

/** Registers the world's content and posts with plain inserts: set-up, not measured. */
export async function registerWorld(backend: Backend, world: MetricWorld): Promise<void> {
  const knex = backend.db.knex;
  for (const chunk of batches(
    Array.from({ length: world.posts }, (_, p) => p),
    1000,
  )) {
    await knex('content').insert(
      chunk.map((p) => ({
        tenant_id: TENANT,
        content_id: contentIdOf(world, p),
        duration_s: durationOf(p),
        quality_score: (p % 100) / 100,
        aesthetic_score: ((p * 37) % 100) / 100,
        caption_length_chars: p % 200,
        cta_in_first_5s: p % 2 === 0,
        hashtag_count: p % 8,
      })),
    );
    await knex('posts').insert(
      chunk.map((p) => ({
        tenant_id: TENANT,
        post_id: postIdOf(world, p),
        content_id: contentIdOf(world, p),
        platform: PLATFORM_NAMES[platformOf(p)],
        account: 'bench',
        published_at: publishTimeOf(world, p),
        time_zone: 'UTC',
      })),
    );
  }
}

/** The world's metric records as StreamMetrics messages. */
export function* messages(world: MetricWorld, onProgress: (sent: number) => void): Generator<StreamMetricsRequest> {
  let sent = 0;
  for (const records of batches(metricRecords(world), RECORDS_PER_MESSAGE)) {
    yield { records };
    sent += records.length;
    if (sent % 100_000 < RECORDS_PER_MESSAGE) onProgress(sent);
  }
}

function writeValue(writer: BinaryCopyWriter, type: ColumnType, value: unknown): void {
  if (type === 'text') writer.text(value as string);
  else if (type === 'int8') writer.int8(value as number);
  else if (type === 'float8') writer.float8(value as number);
  else if (type === 'float4[]') (value as number[]).length === 0 ? writer.null() : writer.float4Array(value as number[]);
  else throw new Error(`the bench's raw COPY does not encode ${type}`);
}

/** COPY payloads of the ledger and of each family table for prepared records. */
function rawPayloads(records: readonly PreparedRecord[]): Map<string, Buffer> {
  const ledger = new BinaryCopyWriter(records.length * 96);
  const families = new Map<FamilySpec, BinaryCopyWriter>();
  for (const r of records) {
    ledger.row(5).text(TENANT).text(r.recordId).text(r.spec.name).bytea(r.hash).timestamptz(r.observedMs);
    const writer = families.get(r.spec) ?? families.set(r.spec, new BinaryCopyWriter(records.length * 256)).get(r.spec)!;
    writer
      .row(3 + r.spec.columns.length)
      .text(TENANT)
      .text(r.recordId)
      .timestamptz(r.observedMs);
    r.spec.columns.forEach((c, i) => {
      writeValue(writer, c.type, r.values[i]);
    });
  }
  const out = new Map([[`metric_records (tenant_id, record_id, family, payload_hash, observed_at)`, ledger.finish()]]);
  for (const [spec, writer] of families)
    out.set(`${spec.table} (tenant_id, record_id, observed_at, ${spec.columns.map((c) => c.column).join(', ')})`, writer.finish());
  return out;
}

/** Milliseconds of raw COPY of the world's records into `bench_raw_*` copies of the tables (encoding not timed). */
async function rawCopyMs(backend: Backend, world: MetricWorld): Promise<number> {
  const tables = ['metric_records', 'retention_metrics', 'engagement_metrics'];
  for (const t of tables) {
    await backend.direct.query(`drop table if exists bench_raw_${t}`);
    await backend.direct.query(`create table bench_raw_${t} (like ${t} including all)`);
  }
  const limits = { maxBatchSize: 1000, maxMetadataBytes: 16384 };
  let total = 0;
  try {
    for (const chunk of batches(metricRecords(world), 50_000)) {
      const prepared = chunk.flatMap((r: MetricRecord, i): PreparedRecord[] => {
        const valid = validateRecord(r, i, Date.now(), limits);
        return isRejection(valid) ? [] : [encoded(valid)];
      });
      for (const [target, payload] of rawPayloads(prepared)) {
        total += (await timed(() => backend.direct.copyFrom(`copy bench_raw_${target} from stdin (format binary)`, payload))).ms;
      }
    }
  } finally {
    for (const t of tables) await backend.direct.query(`drop table if exists bench_raw_${t}`);
  }
  return total;
}

/** Streams the world (which the learning run then reads) and measures against raw COPY. */
export async function measureMetricIngest(backend: Backend, world: MetricWorld, recordCount: number): Promise<Measure[]> {
  progress(`${backend.name}: streaming ${recordCount} metric records (${world.posts} posts × ${world.observations} observations × 2 families)`);
  // NOTE: the messages are encoded before the clock starts, as the baseline's COPY payloads are: the measure is
  // the service's work (decode, validate, hash, write) behind a real gRPC client and socket, not the client's
  // protobuf encoding, which on this 2-core machine would also take CPU from the server and Postgres.
  const encoded = Array.from(
    messages(world, (n) => progress(`${backend.name}: ${n} records encoded`)),
    (m) => Buffer.from(StreamMetricsRequest.encode(m).finish()),
  );
  const { result, ms } = await timed(() => clientStreamEncoded(backend.metrics, MetricsServiceService.streamMetrics, encoded));
  if (result.acceptedCount !== recordCount)
    throw new Error(`stream accepted ${result.acceptedCount} of ${recordCount} records (${result.rejectedCount} rejected)`);
  progress(`${backend.name}: stream ${Math.round(ms)} ms; raw COPY of the same rows into equal tables`);
  const copyMs = await rawCopyMs(backend, world);
  const perSecond = (t: number) => (recordCount * 1000) / t;
  const minimum = backend.name === 'postgres' ? { op: '>=' as const, limit: 50_000, label: '≥ 50,000 records/s' } : undefined;
  return [
    ratioMeasure(
      {
        id: 'metric_ingest.records_per_s',
        name: `streamed metric ingest (${recordCount} records)`,
        value: perSecond(ms),
        unit: 'records/s',
        baseline: perSecond(copyMs),
        baselineName: 'raw binary COPY, equal tables',
      },
      '>=',
      0.7,
      minimum,
    ),
  ];
}

/** p50 of RecordMetrics with one new engagement record for a registered post. */
export async function measureUnaryWrite(backend: Backend, world: MetricWorld, reps: number): Promise<Measure[]> {
  const observeTime = new Date(`${world.day}T23:59:00Z`);
  const samples = await latencies(reps, (i) =>
    call(backend.metrics, backend.metrics.recordMetrics, {
      allOrNothing: false,
      records: [
        {
          recordId: `${world.prefix}-unary-${i}-${Math.random().toString(36).slice(2)}`,
          observeTime,
          payload: {
            $case: 'engagement',
            value: { postId: postIdOf(world, i % world.posts), likes: i, comments: 1, shares: 1, saves: 1, follows: 0, reach: 100, impressions: 150 },
          },
        },
      ],
    }),
  );
  return [
    valueMeasure(
      { id: 'metric_write.unary_p50', name: 'unary metric write p50 (RecordMetrics, 1 record)', value: percentile(samples, 0.5), unit: 'ms' },
      '<=',
      2,
    ),
  ];
}
