// `npm run bench:scaling`: the figures of docs/scaling.md that need a real replica (scripts/start-replica.sh) —
// search through a service routing reads to the replica against the same service on the primary alone (same
// machine, so an overhead figure, not a capacity one) — and retention: dropping one month's partition against a
// DELETE of the same rows from an equal unpartitioned table. Postgres only.
// Environment: DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres), REPLICA_URL (the standby, database
// taken from DATABASE_URL), BENCH_CALLS (2000), BENCH_ROWS (200000).
import { credentials } from '@grpc/grpc-js';
import knexPkg from 'knex';
import { loadConfig } from '../src/config.js';
import { Collection, Distance, EmbeddingServiceClient, EmbeddingType, Precision, SearchRequest } from '../src/gen/stakazo/ml/v1/embedding.js';
import { createLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/server.js';
import { call } from './grpc.js';
import { nowMs, percentile, progress } from './stats.js';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const CALLS = Number(process.env.BENCH_CALLS || 2000);
const ROWS = Number(process.env.BENCH_ROWS || 200_000);
const DIMENSION = 64;

function replicaUrl(): string {
  const url = new URL(process.env.REPLICA_URL || 'postgres://postgres@127.0.0.1:5433/');
  url.pathname = new URL(DATABASE_URL).pathname;
  return url.toString();
}

async function start(env: Record<string, string>): Promise<{ server: RunningServer; client: EmbeddingServiceClient }> {
  const config = loadConfig({ DATABASE_URL, HOST: '127.0.0.1', PORT: '0', HTTP_PORT: 'off', LOG_LEVEL: 'silent', SCHEDULER_ENABLED: 'false', ...env });
  const server = await startServer(config, createLogger('silent'));
  return { server, client: new EmbeddingServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure()) };
}

const vector = (i: number) => ({ values: Array.from({ length: DIMENSION }, (_, d) => Math.sin(i * 7 + d)), float32Le: Buffer.alloc(0) });

async function routingOverhead(): Promise<void> {
  const primary = await start({});
  const routed = await start({ DATABASE_READ_URLS: replicaUrl(), READ_REFRESH_MS: '100' });
  const name = `bench_routing_${Date.now().toString(36)}`;
  const readsByTarget: Record<string, number> = {};
  routed.server.db.reads?.onRead((target) => {
    readsByTarget[target] = (readsByTarget[target] ?? 0) + 1;
  });
  try {
    // NOTE: indexed from the start (indexing threshold 0, the proto default).
    const collection = Collection.fromPartial({
      name,
      embeddingType: EmbeddingType.EMBEDDING_TYPE_VISUAL_CLIP,
      dimension: DIMENSION,
      distance: Distance.DISTANCE_COSINE,
      precision: Precision.PRECISION_FLOAT32,
    });
    await call(primary.client, primary.client.createCollection, { collection });
    for (let i = 0; i < 2000; i += 500) {
      const points = Array.from({ length: 500 }, (_, j) => ({
        id: `p${i + j}`,
        contentId: 'c',
        vector: vector(i + j),
        metadata: undefined,
        createTime: undefined,
        updateTime: undefined,
      }));
      await call(primary.client, primary.client.upsert, { collection: name, points, wait: true });
    }
    // Let the standby replay the collection and the routed service see it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const search = (c: EmbeddingServiceClient, i: number) => call(c, c.search, SearchRequest.fromPartial({ collection: name, vector: vector(i), topK: 10 }));
    const samples: Record<'primary' | 'routed', number[]> = { primary: [], routed: [] };
    for (let i = 0; i < CALLS + 100; i++) {
      // Alternating, which goes first alternating too, so drift hits both alike.
      for (const which of i % 2 === 0 ? (['primary', 'routed'] as const) : (['routed', 'primary'] as const)) {
        const t = nowMs();
        await search(which === 'primary' ? primary.client : routed.client, i);
        if (i >= 100) samples[which].push(nowMs() - t);
      }
    }
    const replicaReads = routed.server.db.reads?.describe() ?? [];
    const p50 = (s: number[]) => percentile(s, 0.5);
    console.log(`search p50, primary alone: ${p50(samples.primary).toFixed(3)} ms; routed to the replica: ${p50(samples.routed).toFixed(3)} ms`);
    console.log(`routing overhead per call (p50 difference): ${(p50(samples.routed) - p50(samples.primary)).toFixed(3)} ms over ${CALLS} calls each`);
    console.log(`replicas: ${JSON.stringify(replicaReads)}; read sessions of the routed service by target: ${JSON.stringify(readsByTarget)}`);
    // The decision alone, in process: cached state only.
    const reads = routed.server.db.reads;
    if (reads) {
      const n = 1_000_000;
      const t = nowMs();
      for (let i = 0; i < n; i++) reads.pick({ tenantId: 'default', readOnly: true });
      console.log(`routing decision alone: ${(((nowMs() - t) / n) * 1e6).toFixed(0)} ns per call`);
    }
    await call(primary.client, primary.client.deleteCollection, { name });
  } finally {
    primary.client.close();
    routed.client.close();
    await primary.server.stop();
    await routed.server.stop();
  }
}

async function retentionDrop(): Promise<void> {
  const knex = knexPkg.knex({ client: 'pg', connection: DATABASE_URL });
  const t = `bench_retention_${Date.now().toString(36)}`;
  const fill = (table: string) => `insert into ${table} (tenant_id, record_id, observed_at, post_id, views, average_view_duration_s, completion_rate,
      rewatch_rate, skip_rate_first_3s, retention_curve)
    select 'tenant-1', 'r' || i, timestamptz '2024-03-01' + (i % 2592000) * interval '1 second', 'post-' || (i % 5000), i, 5, 0.5, 0.2, 0.1,
      (select array_agg((1 - k / 100.0)::real) from generate_series(0, 100) k)
    from generate_series(1, ${ROWS}) i`;
  try {
    await knex.raw(`create table ${t}_plain (like retention_metrics including defaults)`);
    await knex.raw(`create index on ${t}_plain (tenant_id, observed_at)`);
    await knex.raw(`create table ${t}_parted (like retention_metrics including defaults) partition by range (observed_at)`);
    await knex.raw(`create table ${t}_parted_p202403 partition of ${t}_parted for values from ('2024-03-01') to ('2024-04-01')`);
    await knex.raw(`create table ${t}_parted_p202404 partition of ${t}_parted for values from ('2024-04-01') to ('2024-05-01')`);
    await knex.raw(`create index on ${t}_parted (tenant_id, observed_at)`);
    progress(`retention: ${ROWS} rows of one month into each table`);
    await knex.raw(fill(`${t}_plain`));
    await knex.raw(fill(`${t}_parted`));
    let start = nowMs();
    await knex.raw(`delete from ${t}_plain where observed_at >= '2024-03-01' and observed_at < '2024-04-01'`);
    const deleteMs = nowMs() - start;
    start = nowMs();
    await knex.raw(`drop table ${t}_parted_p202403`);
    const dropMs = nowMs() - start;
    console.log(
      `retention of one month (${ROWS} rows): DROP of its partition ${dropMs.toFixed(1)} ms; DELETE of the same rows ${deleteMs.toFixed(0)} ms (then VACUUM still owed)`,
    );
  } finally {
    await knex.raw(`drop table if exists ${t}_plain, ${t}_parted`);
    await knex.destroy();
  }
}

await routingOverhead();
await retentionDrop();
