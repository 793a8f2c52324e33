// EmbeddingService search over gRPC: HNSW recall against an exact scan, filters, more-like-this, grouping, scores.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Distance, type SearchRequest } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { BACKEND, call, expectStatus, uniq, type TestServer } from '../helpers/server.js';
import {
  clusteredVectors,
  cosineDistance,
  createCollection,
  exactNearest,
  floats,
  packed,
  point,
  searchRequest,
  sharedServer,
  streamMessages,
  upsertStream,
} from '../helpers/embedding.js';

const COUNT = 3000;
const DIMENSION = 64;
const BUCKETS = 20; // metadata bucket i % 20: one bucket is 5 % of the points
const CONTENTS = 600; // content id i % 600: five points per content

const noFilter = { contentIds: [], createdAfter: undefined, createdBefore: undefined, metadataContains: undefined };

function recall(found: string[], truth: string[]): number {
  const expected = new Set(truth);
  return found.filter((id) => expected.has(id)).length / truth.length;
}

describe(`embedding search (${BACKEND})`, () => {
  let server: TestServer;
  let name: string;
  const ids = Array.from({ length: COUNT }, (_, i) => `p${i}`);
  const vectors = clusteredVectors(COUNT, DIMENSION, 30, 42);
  const queries = clusteredVectors(40, DIMENSION, 30, 7);

  before(async () => {
    server = await sharedServer();
    name = await createCollection(server.embedding, { dimension: DIMENSION });
    const points = vectors.map((v, i) => point(ids[i]!, packed(v), `content-${i % CONTENTS}`, { bucket: i % BUCKETS }));
    const res = await upsertStream(server.embedding, streamMessages(name, points));
    expect(res.insertedCount).to.equal(COUNT);
  });

  const search = (overrides: Partial<SearchRequest>) => call(server.embedding, server.embedding.search, searchRequest(name, overrides));
  const hitIds = (res: { hits: { point?: { id: string } }[] }) => res.hits.map((h) => h.point!.id);

  it('finds the exact neighbours with exact = true, and reaches recall@10 ≥ 0.9 through the HNSW index', async () => {
    let approximateRecall = 0;
    for (const query of queries) {
      const truth = exactNearest(query, ids, vectors, 10);
      const exact = await search({ vector: packed(query), exact: true });
      expect(recall(hitIds(exact), truth)).to.be.at.least(0.99);
      const approximate = await search({ vector: packed(query) });
      expect(approximate.hits).to.have.length(10);
      approximateRecall += recall(hitIds(approximate), truth) / queries.length;
    }
    expect(approximateRecall).to.be.at.least(0.9);
  });

  it('reports cosine scores as 1 − distance, nearest first, with the raw distance', async () => {
    const query = queries[0]!;
    const res = await search({ vector: floats(Array.from(query)), withVectors: true });
    for (const hit of res.hits) {
      expect(hit.score).to.be.closeTo(1 - hit.distance, 1e-9);
      expect(hit.distance).to.be.closeTo(cosineDistance(query, Float32Array.from(hit.point!.vector!.values)), 1e-5);
    }
    const distances = res.hits.map((h) => h.distance);
    expect(distances).to.deep.equal([...distances].sort((a, b) => a - b));
  });

  it('still returns the full k when a metadata filter keeps 5 % of the points, and only matching points', async () => {
    let filteredRecall = 0;
    for (const query of queries.slice(0, 20)) {
      const res = await search({ vector: packed(query), filter: { ...noFilter, metadataContains: { bucket: 7 } } });
      expect(res.hits).to.have.length(10);
      const found = hitIds(res);
      expect(found.every((id) => Number(id.slice(1)) % BUCKETS === 7)).to.equal(true);
      filteredRecall +=
        recall(
          found,
          exactNearest(query, ids, vectors, 10, (i) => i % BUCKETS === 7),
        ) / 20;
    }
    expect(filteredRecall).to.be.at.least(0.9);
  });

  it('filters by content ids and by creation time', async () => {
    const res = await search({ vector: packed(queries[1]!), topK: 20, filter: { ...noFilter, contentIds: ['content-3', 'content-4'] } });
    expect(hitIds(res).sort()).to.deep.equal(['p3', 'p4', 'p603', 'p604', 'p1203', 'p1204', 'p1803', 'p1804', 'p2403', 'p2404'].sort());
    const future = new Date(Date.now() + 3_600_000);
    expect((await search({ vector: packed(queries[1]!), filter: { ...noFilter, createdAfter: future } })).hits).to.have.length(0);
    expect((await search({ vector: packed(queries[1]!), filter: { ...noFilter, createdBefore: future } })).hits).to.have.length(10);
  });

  it('finds more like an existing point, excluding the point itself', async () => {
    const res = await search({ pointId: 'p10', topK: 5, exact: true });
    expect(hitIds(res)).to.deep.equal(exactNearest(vectors[10]!, ids, vectors, 6).filter((id) => id !== 'p10'));
    const approximate = await search({ pointId: 'p10', topK: 5 });
    expect(hitIds(approximate)).to.not.include('p10');
    expect(approximate.hits).to.have.length(5);
    await expectStatus(search({ pointId: 'nope' }), status.NOT_FOUND, new RegExp(`point "nope" not found in collection "${name}"`));
  });

  it('returns one point per content id when grouping, each the nearest of its content', async () => {
    for (const exact of [true, false]) {
      const res = await search({ vector: packed(queries[2]!), topK: 10, groupByContent: true, exact, withVectors: false });
      expect(res.hits).to.have.length(10);
      const contents = res.hits.map((h) => h.point!.contentId);
      expect(new Set(contents).size).to.equal(10);
      const distances = res.hits.map((h) => h.distance);
      expect(distances).to.deep.equal([...distances].sort((a, b) => a - b));
    }
  });

  it('runs a batch of searches in request order, each as Search would', async () => {
    const requests = [
      searchRequest(name, { vector: packed(queries[3]!), exact: true }),
      searchRequest(name, { pointId: 'p5', topK: 3, exact: true }),
      searchRequest(name, { vector: packed(queries[4]!), efSearch: 200 }),
    ];
    const batch = await call(server.embedding, server.embedding.searchBatch, { searches: requests });
    expect(batch.results).to.have.length(3);
    for (let i = 0; i < requests.length; i++) {
      const single = await call(server.embedding, server.embedding.search, requests[i]!);
      expect(hitIds(batch.results[i]!)).to.deep.equal(hitIds(single));
    }
    const tooMany = Array.from({ length: 101 }, () => requests[0]!);
    await expectStatus(call(server.embedding, server.embedding.searchBatch, { searches: tooMany }), status.INVALID_ARGUMENT, /101 searches; at most 100/);
    await expectStatus(
      call(server.embedding, server.embedding.searchBatch, { searches: [requests[0]!, searchRequest(name, { vector: floats([1, 2]) })] }),
      status.INVALID_ARGUMENT,
      new RegExp(`searches\\[1\\].vector: vector has 2 dimensions, collection "${name}" expects ${DIMENSION}`),
    );
  });

  it('rejects bad searches with messages that say what to fix', async () => {
    const v = packed(queries[0]!);
    await expectStatus(search({ vector: v, topK: 0 }), status.INVALID_ARGUMENT, /top_k is 0; use 1..1000/);
    await expectStatus(search({ vector: v, topK: 1001 }), status.INVALID_ARGUMENT, /top_k is 1001; use 1..1000/);
    await expectStatus(search({ vector: v, pointId: 'p1' }), status.INVALID_ARGUMENT, /set exactly one of vector and point_id/);
    await expectStatus(search({}), status.INVALID_ARGUMENT, /set exactly one of vector and point_id/);
    await expectStatus(
      search({ vector: floats([1, 2, 3]) }),
      status.INVALID_ARGUMENT,
      new RegExp(`vector has 3 dimensions, collection "${name}" expects ${DIMENSION}`),
    );
    await expectStatus(search({ vector: floats(new Array(DIMENSION).fill(0)) }), status.INVALID_ARGUMENT, /all zeros/);
    await expectStatus(search({ vector: floats([NaN, ...new Array(DIMENSION - 1).fill(1)]) }), status.INVALID_ARGUMENT, /component 0 is NaN/);
    await expectStatus(search({ vector: v, efSearch: 1001 }), status.INVALID_ARGUMENT, /ef_search is 1001/);
    await expectStatus(call(server.embedding, server.embedding.search, searchRequest(uniq('nope'), { vector: v })), status.NOT_FOUND, /not found/);
  });
});

describe(`embedding search distances (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await sharedServer();
  });

  it('scores L2 as −distance and inner product as the inner product', async () => {
    const e = server.embedding;
    const points = [point('a', floats([1, 0, 0])), point('b', floats([0, 2, 0])), point('c', floats([3, 3, 0]))];
    const l2 = await createCollection(e, { distance: Distance.DISTANCE_L2 });
    const ip = await createCollection(e, { distance: Distance.DISTANCE_INNER_PRODUCT });
    await call(e, e.upsert, { collection: l2, points });
    await call(e, e.upsert, { collection: ip, points });
    const byL2 = await call(e, e.search, searchRequest(l2, { vector: floats([1, 0, 0]), topK: 3 }));
    expect(byL2.hits.map((h) => [h.point!.id, h.distance, h.score])).to.deep.equal([
      ['a', 0, 0],
      ['b', Math.sqrt(5), -Math.sqrt(5)],
      ['c', Math.sqrt(13), -Math.sqrt(13)],
    ]);
    const byIp = await call(e, e.search, searchRequest(ip, { vector: floats([1, 1, 0]), topK: 3 }));
    expect(byIp.hits.map((h) => [h.point!.id, h.score, h.distance])).to.deep.equal([
      ['c', 6, -6],
      ['b', 2, -2],
      ['a', 1, -1],
    ]);
  });
});
