// Shared fixtures of the embedding tests: seeded clustered vectors, an exact k-NN oracle, stream helpers.
import { Metadata } from '@grpc/grpc-js';
import {
  Distance,
  EmbeddingType,
  Precision,
  type Collection,
  type EmbeddingServiceClient,
  type Point,
  RecommendRequest,
  SearchRequest,
  type UpsertStreamRequest,
  type UpsertStreamResponse,
} from '../../src/gen/stakazo/ml/v1/embedding.js';
import { clientStreamCall } from '../../src/client-calls.js';
import { gaussian, mulberry32 } from '../../src/learning/math/stats.js';
import { afterEachFile } from './file-hooks.js';
import { call, sharedServerIfStarted, uniq, type TestServer } from './server.js';

export { sharedServer } from './server.js';

/** A small deterministic PRNG (mulberry32), so every run sees the same data. */
export const seededRandom = mulberry32;

function normalize(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** `count` unit vectors around `clusters` random centres (spread `spread`), like real embeddings. */
export function clusteredVectors(count: number, dimension: number, clusters: number, seed: number, spread = 0.35): Float32Array[] {
  const random = seededRandom(seed);
  const centres = Array.from({ length: clusters }, () => normalize(Float32Array.from({ length: dimension }, () => gaussian(random))));
  return Array.from({ length: count }, (_, i) => {
    const centre = centres[i % clusters]!;
    return normalize(centre.map((c) => c + (spread / Math.sqrt(dimension)) * gaussian(random)));
  });
}

/** Cosine distance, as pgvector's <=> computes it. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return 1 - dot / Math.sqrt(na * nb);
}

/** The exact k nearest ids by cosine distance among `ids`/`vectors` passing `keep`. */
export function exactNearest(query: Float32Array, ids: string[], vectors: Float32Array[], k: number, keep: (i: number) => boolean = () => true): string[] {
  return vectors
    .map((v, i) => ({ i, d: cosineDistance(query, v) }))
    .filter(({ i }) => keep(i))
    .sort((a, b) => a.d - b.d)
    .slice(0, k)
    .map(({ i }) => ids[i]!);
}

/** A vector in its fast wire form. */
export function packed(v: Float32Array): { values: number[]; float32Le: Buffer } {
  return { values: [], float32Le: Buffer.from(v.buffer, v.byteOffset, v.byteLength) };
}

/** A vector as repeated floats. */
export function floats(values: number[]): { values: number[]; float32Le: Buffer } {
  return { values, float32Le: Buffer.alloc(0) };
}

/** A point with defaults for the fields a test does not care about. */
export function point(id: string, vector: { values: number[]; float32Le: Buffer }, contentId = `c-${id}`, metadata?: Record<string, unknown>): Point {
  return { id, contentId, vector, metadata, createTime: undefined, updateTime: undefined };
}

/** A Search request: unset fields take their proto defaults. */
export function searchRequest(collection: string, overrides: Partial<SearchRequest> = {}): SearchRequest {
  return { ...SearchRequest.fromPartial({ collection, topK: 10 }), ...overrides };
}

/** A Recommend request: unset fields take their proto defaults. */
export function recommendRequest(collection: string, overrides: Partial<RecommendRequest> = {}): RecommendRequest {
  return { ...RecommendRequest.fromPartial({ collection, topK: 10 }), ...overrides };
}

/** A collection to create, defaults filled. */
export function collectionSpec(overrides: Partial<Collection> = {}): Collection {
  return {
    name: uniq('col'),
    embeddingType: EmbeddingType.EMBEDDING_TYPE_VISUAL_CLIP,
    dimension: 3,
    distance: Distance.DISTANCE_COSINE,
    precision: Precision.PRECISION_FLOAT32,
    hnsw: undefined,
    description: '',
    pointCount: 0,
    createTime: undefined,
    // NOTE: indexed from the start, as every collection was before deferred indexing; tests of it set a threshold.
    indexingThreshold: 0,
    indexState: 0,
    indexBuildProgress: undefined,
    textFields: [],
    textLanguage: '',
    ...overrides,
  };
}

// Collections the tests created, deleted after each file so that a shared Postgres database never piles up
// past LIMIT_MAX_COLLECTIONS over many runs.
const created = new Set<string>();

/** Creates a collection (remembered for `deleteCreatedCollections`) and returns its name. */
export async function createCollection(client: EmbeddingServiceClient, overrides: Partial<Collection> = {}): Promise<string> {
  const spec = collectionSpec(overrides);
  created.add(spec.name);
  const response = await call(client, client.createCollection, { collection: spec });
  return response.collection!.name;
}

/** Deletes every collection `createCollection` made that still exists. */
export async function deleteCreatedCollections(client: EmbeddingServiceClient): Promise<void> {
  for (const name of created) {
    await call(client, client.deleteCollection, { name }).catch(() => undefined);
    created.delete(name);
  }
}

/**
 * Sends the messages as one UpsertStream, honouring flow control, and returns the response. NOTE: the deadline only
 * catches a hang (10 minutes): a 200 MB stream on a machine running three suites took over two.
 */
export function upsertStream(client: EmbeddingServiceClient, messages: Iterable<UpsertStreamRequest>): Promise<UpsertStreamResponse> {
  return clientStreamCall(client, client.upsertStream, messages, new Metadata(), 600_000);
}

/** Stream messages of `perMessage` points each, naming the collection in the first. */
export function* streamMessages(collection: string, points: Point[], perMessage = 200): Generator<UpsertStreamRequest> {
  for (let i = 0; i < points.length; i += perMessage) {
    yield { collection: i === 0 ? collection : '', points: points.slice(i, i + perMessage) };
  }
}

/** Deletes the collections the tests created on `server`, then stops it (nothing when it never started). */
export async function stopAndClean(server: TestServer | undefined): Promise<void> {
  if (!server) return;
  await deleteCreatedCollections(server.embedding);
  await server.stop();
}

// After each file, the collections it created on the process's shared server are deleted, so a shared Postgres
// database never piles up past LIMIT_MAX_COLLECTIONS over many runs.
afterEachFile(async () => {
  const server = await sharedServerIfStarted();
  if (server) await deleteCreatedCollections(server.embedding);
});
