// One soak client process: mixed RPCs against the server for a fixed time; sends latencies and failures to its
// parent over IPC. Started by scripts/soak.ts with the address, the world's names and the end time.
import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { EmbeddingServiceClient, SearchRequest, type Point } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { LearningServiceClient } from '../../src/gen/stakazo/ml/v1/learning.js';
import { MetricFamily, MetricsServiceClient, QueryMetricsRequest, type MetricRecord } from '../../src/gen/stakazo/ml/v1/metrics.js';
import type { SoakWorld, WorkerReport } from './report.js';

const [address, worldJson, endAtText, workerId] = process.argv.slice(2);
const world = JSON.parse(worldJson!) as SoakWorld;
const endAt = Number(endAtText);
const DEADLINE_MS = 30_000;

const embedding = new EmbeddingServiceClient(address!, credentials.createInsecure());
const metrics = new MetricsServiceClient(address!, credentials.createInsecure());
const learning = new LearningServiceClient(address!, credentials.createInsecure());

type Callback<Res> = (err: ServiceError | null, res: Res) => void;
function unary<Req, Res>(client: Client, method: (req: Req, md: Metadata, o: object, cb: Callback<Res>) => unknown, request: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, request, new Metadata(), { deadline: new Date(Date.now() + DEADLINE_MS) }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

function clientStream<Msg, Res>(
  open: (md: Metadata, o: object, cb: Callback<Res>) => { write(m: Msg): boolean; end(): void; once(e: 'drain', l: () => void): unknown },
  messages: Msg[],
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const stream = open(new Metadata(), { deadline: new Date(Date.now() + DEADLINE_MS) }, (err, res) => (err ? reject(err) : resolve(res)));
    void (async () => {
      for (const m of messages) if (!stream.write(m)) await new Promise<void>((r) => stream.once('drain', r));
      stream.end();
    })();
  });
}

let seq = 0;
const random = Math.random;
const vector = () => ({ values: Array.from({ length: world.dimension }, () => random() - 0.5), float32Le: Buffer.alloc(0) });
const somePost = () => world.postIds[Math.floor(random() * world.postIds.length)]!;
const point = (): Point => ({
  // A bounded id space, so upserts both insert and update.
  id: `w${workerId}-p${Math.floor(random() * 5000)}`,
  contentId: world.contentId,
  vector: vector(),
  metadata: { worker: Number(workerId), tag: random() < 0.5 ? 'a' : 'b' },
  createTime: undefined,
  updateTime: undefined,
});
const record = (): MetricRecord => ({
  recordId: `w${workerId}-r${seq++}`,
  observeTime: new Date(Date.now() - Math.floor(random() * 3_600_000)),
  payload: { $case: 'engagement', value: { postId: somePost(), likes: seq % 100, comments: 1, shares: 2, saves: 3, follows: 0, reach: 500, impressions: 900 } },
});
const times = <T>(n: number, make: () => T) => Array.from({ length: n }, make);

/** The mix: each RPC with a weight and how to call it. */
const RPCS: Array<{ name: string; weight: number; run: () => Promise<unknown> }> = [
  { name: 'Upsert', weight: 3, run: () => unary(embedding, embedding.upsert, { collection: world.collection, points: times(20, point) }) },
  {
    name: 'UpsertStream',
    weight: 1,
    run: () =>
      clientStream(embedding.upsertStream.bind(embedding), [
        { collection: world.collection, points: times(100, point) },
        { collection: '', points: times(100, point) },
      ]),
  },
  {
    name: 'Search',
    weight: 4,
    run: () => unary(embedding, embedding.search, SearchRequest.fromPartial({ collection: world.collection, vector: vector(), topK: 10 })),
  },
  {
    name: 'SearchExact',
    weight: 1,
    run: () =>
      unary(
        embedding,
        embedding.search,
        SearchRequest.fromPartial({ collection: world.collection, vector: vector(), topK: 10, exact: true, filter: { metadataContains: { tag: 'a' } } }),
      ),
  },
  { name: 'GetCollection', weight: 1, run: () => unary(embedding, embedding.getCollection, { name: world.collection }) },
  { name: 'RecordMetrics', weight: 3, run: () => unary(metrics, metrics.recordMetrics, { records: times(10, record), allOrNothing: false }) },
  {
    name: 'StreamMetrics',
    weight: 1,
    run: () => clientStream(metrics.streamMetrics.bind(metrics), [{ records: times(250, record) }, { records: times(250, record) }]),
  },
  {
    name: 'QueryMetrics',
    weight: 2,
    run: () =>
      unary(
        metrics,
        metrics.queryMetrics,
        QueryMetricsRequest.fromPartial({ family: MetricFamily.METRIC_FAMILY_ENGAGEMENT, postIds: [somePost()], pageSize: 50 }),
      ),
  },
  { name: 'GetContent', weight: 1, run: () => unary(metrics, metrics.getContent, { contentId: world.contentId }) },
  { name: 'ListPosts', weight: 1, run: () => unary(metrics, metrics.listPosts, { contentId: world.contentId, platform: 0, pageSize: 20, pageToken: '' }) },
  { name: 'GetRetentionAnalysis', weight: 1, run: () => unary(learning, learning.getRetentionAnalysis, { postId: world.postIds[0]! }) },
  { name: 'ListLearningRuns', weight: 1, run: () => unary(learning, learning.listLearningRuns, { startDay: '', endDay: '', pageSize: 10, pageToken: '' }) },
];
const totalWeight = RPCS.reduce((sum, r) => sum + r.weight, 0);

function pickRpc() {
  let r = random() * totalWeight;
  for (const rpc of RPCS) if ((r -= rpc.weight) < 0) return rpc;
  return RPCS[RPCS.length - 1]!;
}

async function main(): Promise<void> {
  const report: WorkerReport = { latenciesMs: {}, failures: [] };
  // A few calls in flight at once, like an engine with a small concurrency.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < endAt) {
        const rpc = pickRpc();
        const start = performance.now();
        try {
          await rpc.run();
          (report.latenciesMs[rpc.name] ??= []).push(performance.now() - start);
        } catch (err) {
          const e = err as ServiceError;
          report.failures.push({ rpc: rpc.name, code: e.code, details: e.details ?? e.message });
        }
      }
    }),
  );
  for (const c of [embedding, metrics, learning]) c.close();
  process.send!(report, () => process.exit(0));
}

void main();
