// The attacker of `npm run soak:worst`: one tenant sending the worst requests the limits allow, back to back, in a
// process of its own (its encoding work must not slow the probe): largest Upsert batch with metadata, largest
// UpsertStream chunk, Search of top_k 1000 with vectors, PredictVirality of 1000 cold-start items on 1000 days, and
// a hostile 1.25-million-key metadata Struct. Argv: address, token, collection, dimension, endAt; reports by IPC.
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { clientStreamCall, unaryCall } from '../../src/client-calls.js';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import { EmbeddingServiceClient, type Point, SearchRequest } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { LearningServiceClient, type ViralityInput } from '../../src/gen/stakazo/ml/v1/learning.js';

const [address, token, collection, dimensionText, endAtText] = process.argv.slice(2) as [string, string, string, string, string];
const dimension = Number(dimensionText);
const endAt = Number(endAtText);
const auth = new Metadata();
auth.set('authorization', `Bearer ${token}`);
const options = { 'grpc.max_send_message_length': 64 * 1024 * 1024, 'grpc.max_receive_message_length': 256 * 1024 * 1024 };
const embedding = new EmbeddingServiceClient(address, credentials.createInsecure(), options);
const learning = new LearningServiceClient(address, credentials.createInsecure(), options);

const vector = (i: number) => ({ values: [], float32Le: Buffer.from(Float32Array.from({ length: dimension }, (_, j) => Math.sin(i * 31 + j) + 1.5).buffer) });
/** 1000 points with 100 metadata keys each: the whole message stays inside the 100,000-entry budget. */
const points = (offset: number): Point[] =>
  Array.from({ length: 1000 }, (_, i) => ({
    id: `w${offset + i}`,
    contentId: `c${i}`,
    vector: vector(offset + i),
    metadata: Object.fromEntries(Array.from({ length: 100 }, (_, k) => [`key${k}`, `value-${i}-${k}`])),
    createTime: undefined,
    updateTime: undefined,
  }));
const items: ViralityInput[] = Array.from({ length: 1000 }, (_, i) => ({
  contentId: '',
  features: { qualityScore: 0.5, aestheticScore: 0.5, captionLengthChars: 40, ctaInFirst5s: true, hashtagCount: 3 },
  durationS: 20,
  platform: Platform.PLATFORM_TIKTOK,
  plannedPublishTime: new Date(Date.UTC(2024, 0, 1) + i * 86_400_000),
  timeZone: 'UTC',
  postId: '',
  horizonHours: 0,
}));
const hostile =
  (process.env.SOAK_WORST_ONLY ?? 'Struct').includes('Struct') || !process.env.SOAK_WORST_ONLY
    ? Object.fromEntries(Array.from({ length: 1_250_000 }, (_, k) => [`k${k}`, 1]))
    : {};

const requests: Record<string, () => Promise<unknown>> = {
  'Upsert 1000 points': () => unaryCall(embedding, embedding.upsert, { collection, points: points(0) }, auth, 300_000),
  'UpsertStream 5 x 1000': () =>
    clientStreamCall(
      embedding,
      embedding.upsertStream,
      [0, 1, 2, 3, 4].map((m) => ({ collection: m === 0 ? collection : '', points: points(m * 1000) })),
      auth,
      300_000,
    ),
  'Search top_k 1000 + vectors': () =>
    unaryCall(embedding, embedding.search, { ...SearchRequest.fromPartial({ collection, topK: 1000, withVectors: true }), vector: vector(7) }, auth, 300_000),
  'PredictVirality 1000 days': () => unaryCall(learning, learning.predictVirality, { items }, auth, 300_000),
  'Upsert 1.25M-key Struct': () => unaryCall(embedding, embedding.upsert, { collection, points: [{ ...points(0)[0]!, metadata: hostile }] }, auth, 300_000),
};

const done: Record<string, { calls: number; codes: Record<string, number>; maxMs: number }> = {};
(async () => {
  while (Date.now() < endAt) {
    // SOAK_WORST_ONLY=<substring>: only the requests whose name contains it (to find which one blocks).
    for (const [name, send] of Object.entries(requests).filter(([n]) => n.includes(process.env.SOAK_WORST_ONLY ?? ''))) {
      if (Date.now() >= endAt) break;
      const entry = (done[name] ??= { calls: 0, codes: {}, maxMs: 0 });
      const start = Date.now();
      const code = await send().then(
        () => 'OK',
        (err: ServiceError) => String(err.code),
      );
      entry.calls++;
      entry.maxMs = Math.max(entry.maxMs, Date.now() - start);
      entry.codes[code] = (entry.codes[code] ?? 0) + 1;
    }
  }
  process.send!(done);
  embedding.close();
  learning.close();
})();
