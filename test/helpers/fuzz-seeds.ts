// Valid request bytes per RPC (encoded with the generated ts-proto code) for the fuzzer to mutate, built around
// a small world (a collection, a content item, a post, a few records) so that mutated calls reach the database.
import type { ServiceDefinition } from '@grpc/grpc-js';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import * as embedding from '../../src/gen/stakazo/ml/v1/embedding.js';
import * as learning from '../../src/gen/stakazo/ml/v1/learning.js';
import * as metrics from '../../src/gen/stakazo/ml/v1/metrics.js';
import { payloads, registerPosts } from './metrics-fixtures.js';
import { call, uniq, type TestServer } from './server.js';
import { collectionSpec, createCollection, floats, point } from './embedding.js';
import type { FuzzDictionary } from './fuzz.js';

/** The names the fuzz world created, for the dictionary. */
export interface FuzzWorld {
  collection: string;
  contentId: string;
  postId: string;
  pointIds: string[];
}

/** Creates a collection of dimension 3 with a few points, a content item with a post and one record of each family. */
export async function buildFuzzWorld(server: TestServer): Promise<FuzzWorld> {
  const collection = await createCollection(server.embedding, { dimension: 3 });
  const pointIds = ['p1', 'p2', 'p3'];
  await call(server.embedding, server.embedding.upsert, {
    collection,
    points: pointIds.map((id, i) => point(id, floats([i + 1, 0.5, -0.25]), `c-${i}`, { brand: 'acme', rank: i })),
  });
  const prefix = uniq('fz');
  const { contentId, postIds } = await registerPosts(server, prefix, 1);
  await call(server.metrics, server.metrics.recordMetrics, {
    records: payloads(postIds[0]!, contentId).map((payload, i) => ({ recordId: `${prefix}-r${i}`, observeTime: new Date(Date.now() - 3_600_000), payload })),
    allOrNothing: false,
  });
  return { collection, contentId, postId: postIds[0]!, pointIds };
}

/** Strings for generated messages: the world's names, so random calls hit real rows as well as missing ones. */
export function fuzzDictionary(world: FuzzWorld): FuzzDictionary {
  return { strings: [world.collection, world.contentId, world.postId, ...world.pointIds, 'missing', '2026-01-01', '2026-01-02'] };
}

type Encoders = Record<string, { path: string; requestSerialize(value: never): Buffer }>;
type MessageTypes = Record<string, { fromPartial(value: object): never } | undefined>;

/** Encodes a partial request of `method` (fields left out take their defaults, as ts-proto's fromPartial fills them). */
function encoder(module: object, definition: ServiceDefinition, method: string): (partial: object) => Uint8Array {
  const entry = (definition as unknown as Encoders)[method]!;
  const type = (module as MessageTypes)[`${method[0]!.toUpperCase()}${method.slice(1)}Request`]!;
  return (value) => entry.requestSerialize(type.fromPartial(value));
}

/** Valid requests by gRPC path: several per RPC where the shape varies (filters, encodings, all-or-nothing). */
export function fuzzSeeds(world: FuzzWorld): Map<string, Uint8Array[]> {
  const seeds = new Map<string, Uint8Array[]>();
  const add = ([module, definition]: [object, ServiceDefinition], method: string, ...requests: object[]) => {
    const encode = encoder(module, definition, method);
    const path = (definition as unknown as Encoders)[method]!.path;
    seeds.set(
      path,
      requests.map((r) => encode(r)),
    );
  };
  const E: [object, ServiceDefinition] = [embedding, embedding.EmbeddingServiceService];
  const M: [object, ServiceDefinition] = [metrics, metrics.MetricsServiceService];
  const L: [object, ServiceDefinition] = [learning, learning.LearningServiceService];
  const { collection, contentId, postId } = world;
  const vector = floats([0.1, 0.2, 0.3]);
  const filter = { contentIds: ['c-1'], createdAfter: new Date('2025-01-01'), createdBefore: undefined, metadataContains: { brand: 'acme' } };
  const points = [point('s1', vector, 'c-9', { brand: 'zeta', tags: ['a', 'b'], nested: { x: 1 } }), point('s2', floats([1, 1, 1]))];

  add(E, 'createCollection', { collection: collectionSpec({ name: 'fuzz-made', dimension: 4 }) });
  add(E, 'getCollection', { name: collection });
  add(E, 'listCollections', { embeddingType: 0 });
  add(E, 'deleteCollection', { name: 'fuzz-made' });
  add(E, 'upsert', { collection, points });
  add(E, 'upsertStream', { collection, points });
  add(E, 'getPoints', { collection, ids: world.pointIds, withVectors: true, vectorEncoding: 1 });
  add(E, 'deletePoints', { collection, ids: ['s1'], filter: undefined }, { collection, ids: [], filter });
  add(E, 'updateMetadata', { collection, ids: ['p1'], metadata: { brand: 'acme', n: 2 }, mode: 1 });
  add(E, 'scroll', { collection, filter, pageSize: 2, pageToken: '', withVectors: true, vectorEncoding: 0 });
  const search = { collection, vector, pointId: '', topK: 3, filter, efSearch: 40, exact: false, groupByContent: false, withVectors: false, vectorEncoding: 0 };
  add(E, 'search', search, { ...search, filter: undefined, exact: true, groupByContent: true }, { ...search, vector: undefined, pointId: 'p1' });
  add(E, 'searchBatch', { searches: [search, { ...search, exact: true }] });
  const recommend = { ...search, positiveIds: world.pointIds.slice(0, 2), negativeIds: [], positiveVectors: [vector], negativeVectors: [vector], strategy: 2 };
  add(E, 'recommend', recommend, { ...recommend, strategy: 1, filter: undefined, groupByContent: true });
  add(E, 'createAlias', { alias: 'fuzz-alias', collection });
  add(E, 'switchAlias', { alias: 'fuzz-alias', collection });
  add(E, 'listAliases', { collection });
  add(E, 'deleteAlias', { alias: 'fuzz-alias' });
  add(E, 'buildIndex', { collection });

  const observeTime = new Date(Date.now() - 60_000);
  const records = payloads(postId, contentId).map((payload, i) => ({ recordId: `seed-${i}`, observeTime, payload }));
  add(M, 'registerContent', {
    content: { contentId: 'fuzz-content', durationS: 12, features: undefined, metadata: { genre: 'pop' }, createTime: undefined, updateTime: undefined },
  });
  add(M, 'getContent', { contentId });
  add(M, 'listContent', { pageSize: 10, pageToken: '' });
  add(M, 'deleteContent', { contentId: 'fuzz-content' });
  add(M, 'registerPost', {
    post: {
      postId: 'fuzz-post',
      contentId,
      platform: Platform.PLATFORM_TIKTOK,
      account: 'a',
      publishTime: new Date('2026-01-01T10:00:00Z'),
      timeZone: 'Europe/Madrid',
      createTime: undefined,
      updateTime: undefined,
    },
  });
  add(M, 'getPost', { postId });
  add(M, 'listPosts', { contentId, platform: 0, pageSize: 5, pageToken: '' });
  add(M, 'recordMetrics', { records, allOrNothing: false }, { records, allOrNothing: true });
  add(M, 'streamMetrics', { records });
  add(M, 'queryMetrics', {
    family: 1,
    postIds: [postId],
    contentIds: [],
    platform: 0,
    startTime: undefined,
    endTime: undefined,
    latestOnly: true,
    pageSize: 10,
    pageToken: '',
  });
  add(M, 'exportMetrics', { family: 1, startTime: new Date('2025-01-01'), endTime: new Date(), platform: 0 });
  add(M, 'listDailySnapshots', { startDay: '2026-01-01', endDay: '2026-01-07', platform: 0 });

  add(L, 'buildDailySnapshot', { day: '2026-01-01' });
  add(L, 'getDailySnapshot', { day: '2026-01-01', platform: Platform.PLATFORM_TIKTOK });
  add(L, 'getRetentionAnalysis', { postId });
  add(L, 'getRetentionClusters', { startDay: '2026-01-01', endDay: '2026-01-03', platform: 0, maxClusters: 3 });
  add(L, 'runDailyLearning', { day: '2026-01-01', force: false });
  add(L, 'backfill', { startDay: '2026-01-01', endDay: '2026-01-02', reprocess: 0 });
  add(L, 'getLearningReport', { day: '2026-01-01' });
  add(L, 'listLearningRuns', { startDay: '2026-01-01', endDay: '2026-01-31', pageSize: 10, pageToken: '' });
  add(L, 'predictVirality', {
    items: [
      {
        contentId,
        features: undefined,
        durationS: 30,
        platform: Platform.PLATFORM_TIKTOK,
        plannedPublishTime: new Date('2026-03-01T18:00:00Z'),
        timeZone: 'Europe/Madrid',
      },
    ],
  });
  add(L, 'getBestTimeToPost', { platform: Platform.PLATFORM_TIKTOK, timeZone: 'Europe/Madrid', lookbackDays: 30, metric: 0, afterTime: undefined });
  add(L, 'getLearningSettings', {});
  add(L, 'setLearningSettings', { shareLearning: false });
  return seeds;
}
