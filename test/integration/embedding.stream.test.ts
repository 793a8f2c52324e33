// EmbeddingService UpsertStream over gRPC: 10,000 points with invalid ones in the middle, retries, stream errors.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import type { Point } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { BACKEND, call, expectStatus, uniq, type TestServer } from '../helpers/server.js';
import { clusteredVectors, createCollection, floats, packed, point, sharedServer, streamMessages, upsertStream } from '../helpers/embedding.js';

const COUNT = 10_000;
const DIMENSION = 16;

/** The invalid point put at `index`, and the reason it must be rejected for. */
function invalidPoint(index: number, valid: Point): [Point, RegExp] {
  switch (index % 4) {
    case 0:
      return [{ ...valid, vector: floats([1, 2, 3]) }, /vector has 3 dimensions, collection "\w+" expects 16/];
    case 1:
      return [{ ...valid, vector: floats([NaN, ...new Array(DIMENSION - 1).fill(1)]) }, /component 0 is NaN/];
    case 2:
      return [{ ...valid, id: '' }, /point.id is empty/];
    default:
      return [{ ...valid, vector: floats(new Array(DIMENSION).fill(0)) }, /all zeros/];
  }
}

describe(`embedding upsert stream (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await sharedServer();
  });

  it('ingests 10,000 points, rejecting the invalid ones by index and reason, and keeps the valid ones searchable; a retry changes nothing', async () => {
    const e = server.embedding;
    const name = await createCollection(e, { dimension: DIMENSION });
    const vectors = clusteredVectors(COUNT, DIMENSION, 20, 3);
    const invalidAt = new Map<number, RegExp>();
    const points = vectors.map((v, i) => {
      // Half the points as packed float32, half as repeated floats: both forms in one stream.
      const valid = point(`p${i}`, i % 2 === 0 ? packed(v) : floats(Array.from(v)), `content-${i % 100}`, { n: i });
      if (i < 4000 || i >= 6000 || i % 97 !== 0) return valid;
      const [bad, reason] = invalidPoint(invalidAt.size, valid);
      invalidAt.set(i, reason);
      return bad;
    });
    const validCount = COUNT - invalidAt.size;

    const first = await upsertStream(e, streamMessages(name, points, 250));
    expect(first).to.deep.include({ insertedCount: validCount, updatedCount: 0, rejectedCount: invalidAt.size });
    expect(first.rejected.map((r) => r.index)).to.deep.equal([...invalidAt.keys()]);
    for (const rejected of first.rejected) {
      expect(rejected.reason).to.match(invalidAt.get(rejected.index)!);
      expect(rejected.id).to.equal(points[rejected.index]!.id);
    }
    expect((await call(e, e.getCollection, { name })).collection!.pointCount).to.equal(validCount);

    const sample = ['p0', 'p1', 'p4999', 'p9999'];
    const before = await call(e, e.getPoints, { collection: name, ids: sample, withVectors: true, vectorEncoding: 0 });
    for (const i of [0, 1, 4999, 9999]) {
      const res = await call(e, e.search, {
        collection: name,
        vector: packed(vectors[i]!),
        pointId: '',
        topK: 1,
        filter: undefined,
        efSearch: 0,
        exact: false,
        groupByContent: false,
        withVectors: false,
        vectorEncoding: 0,
      });
      expect(res.hits[0]!.point!.id).to.equal(`p${i}`);
    }

    const retry = await upsertStream(e, streamMessages(name, points, 250));
    expect(retry).to.deep.include({ insertedCount: 0, updatedCount: validCount, rejectedCount: invalidAt.size });
    expect((await call(e, e.getCollection, { name })).collection!.pointCount).to.equal(validCount);
    const after = await call(e, e.getPoints, { collection: name, ids: sample, withVectors: true, vectorEncoding: 0 });
    const stable = (r: typeof before) => r.points.map(({ updateTime: _, ...rest }) => rest);
    expect(stable(after)).to.deep.equal(stable(before));
  });

  it('reports the first 1,000 rejections and counts all of them', async () => {
    const name = await createCollection(server.embedding);
    const bad = Array.from({ length: 1500 }, (_, i) => point(`p${i}`, floats([1, 2])));
    const res = await upsertStream(server.embedding, streamMessages(name, [...bad, point('ok', floats([1, 2, 3]))]));
    expect(res).to.deep.include({ insertedCount: 1, updatedCount: 0, rejectedCount: 1500 });
    expect(res.rejected).to.have.length(1000);
    expect(res.rejected[999]!.index).to.equal(999);
  });

  it('fails the stream when the first message names no collection, an unknown one, or another one later', async () => {
    const e = server.embedding;
    const name = await createCollection(e);
    const p = point('a', floats([1, 2, 3]));
    await expectStatus(upsertStream(e, [{ collection: '', points: [p] }]), status.INVALID_ARGUMENT, /the first message must name the collection/);
    await expectStatus(upsertStream(e, [{ collection: uniq('nope'), points: [p] }]), status.NOT_FOUND, /not found/);
    const other = await createCollection(e);
    await expectStatus(
      upsertStream(e, [
        { collection: name, points: [p] },
        { collection: other, points: [p] },
      ]),
      status.INVALID_ARGUMENT,
      /changed from/,
    );
    expect((await upsertStream(e, [])).insertedCount).to.equal(0);
  });
});
