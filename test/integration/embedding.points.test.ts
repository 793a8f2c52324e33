// EmbeddingService points over gRPC: upsert, get, delete, metadata updates, scroll, halfvec, limits, bad input.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Distance, MetadataUpdateMode, Precision, VectorEncoding, type Point } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { BACKEND, call, expectStatus, uniq, type TestServer } from '../helpers/server.js';
import { createCollection, floats, packed, point, sharedServer } from '../helpers/embedding.js';

const noFilter = { contentIds: [], createdAfter: undefined, createdBefore: undefined, metadataContains: undefined };
const getAll = { withVectors: true, vectorEncoding: VectorEncoding.VECTOR_ENCODING_UNSPECIFIED };

describe(`embedding points (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await sharedServer();
  });

  const count = async (name: string) => (await call(server.embedding, server.embedding.getCollection, { name })).collection!.pointCount;

  it('inserts, then updates, and reads points back in request order with vectors in either encoding', async () => {
    const e = server.embedding;
    const name = await createCollection(e);
    const first = await call(e, e.upsert, {
      collection: name,
      points: [point('a', floats([1, 0, 0]), 'video-1', { brand: 'acme', tags: ['x'] }), point('b', packed(Float32Array.of(0.5, 0.25, -1)), 'video-2')],
    });
    expect(first).to.deep.equal({ insertedCount: 2, updatedCount: 0 });
    const before = await call(e, e.getPoints, { collection: name, ids: ['a'], ...getAll });
    await new Promise((r) => setTimeout(r, 10));
    const second = await call(e, e.upsert, {
      collection: name,
      points: [point('a', floats([0, 1, 0]), 'video-1', { brand: 'acme' }), point('c', floats([0, 0, 1]))],
    });
    expect(second).to.deep.equal({ insertedCount: 1, updatedCount: 1 });
    expect(await count(name)).to.equal(3);

    const got = await call(e, e.getPoints, { collection: name, ids: ['b', 'missing', 'a', 'b'], ...getAll });
    expect(got.points.map((p) => p.id)).to.deep.equal(['b', 'a']);
    expect(got.points[0]!.vector!.values).to.deep.equal([0.5, 0.25, -1]);
    expect(got.points[1]).to.deep.include({ contentId: 'video-1', metadata: { brand: 'acme' } });
    expect(got.points[1]!.vector!.values).to.deep.equal([0, 1, 0]);
    expect(got.points[1]!.createTime!.getTime()).to.equal(before.points[0]!.createTime!.getTime());
    expect(got.points[1]!.updateTime!.getTime()).to.be.greaterThan(before.points[0]!.updateTime!.getTime());

    const packedOut = await call(e, e.getPoints, {
      collection: name,
      ids: ['b'],
      withVectors: true,
      vectorEncoding: VectorEncoding.VECTOR_ENCODING_FLOAT32_LE,
    });
    const bytes = packedOut.points[0]!.vector!.float32Le;
    expect(packedOut.points[0]!.vector!.values).to.deep.equal([]);
    expect(Array.from(new Float32Array(Uint8Array.from(bytes).buffer))).to.deep.equal([0.5, 0.25, -1]);

    const withoutVectors = await call(e, e.getPoints, { collection: name, ids: ['a'], withVectors: false, vectorEncoding: 0 });
    expect(withoutVectors.points[0]!.vector).to.equal(undefined);
  });

  it('keeps the last of repeated ids in one batch and counts the earlier ones as updates', async () => {
    const e = server.embedding;
    const name = await createCollection(e);
    const res = await call(e, e.upsert, { collection: name, points: [point('a', floats([1, 0, 0])), point('a', floats([0, 0, 1]))] });
    expect(res).to.deep.equal({ insertedCount: 1, updatedCount: 1 });
    const got = await call(e, e.getPoints, { collection: name, ids: ['a'], ...getAll });
    expect(got.points[0]!.vector!.values).to.deep.equal([0, 0, 1]);
  });

  it('rejects every kind of bad point with a message that says what to fix, and writes nothing of the batch', async () => {
    const e = server.embedding;
    const name = await createCollection(e);
    const good = point('good', floats([1, 2, 3]));
    const cases: [Point, RegExp][] = [
      [point('p', floats([1, 2])), new RegExp(`points\\[1\\] \\(id "p"\\): vector has 2 dimensions, collection "${name}" expects 3`)],
      [point('p', floats([1, NaN, 3])), /points\[1\].vector component 1 is NaN; every component must be a finite number/],
      [point('p', floats([1, Infinity, 3])), /component 1 is Infinity/],
      [point('p', floats([1, -Infinity, 3])), /component 1 is -Infinity/],
      [point('p', floats([0, 0, 0])), /vector is all zeros, which has no direction under cosine distance/],
      [point('', floats([1, 2, 3])), /points\[1\].id is empty; give it 1..256 characters/],
      [point('x'.repeat(257), floats([1, 2, 3])), /points\[1\].id has 257 characters; at most 256/],
      [point('p', floats([1, 2, 3]), ''), /points\[1\].content_id is empty/],
      [point('p', { values: [1, 2, 3], float32Le: Buffer.alloc(12) }), /sets both values and float32_le; set exactly one/],
      [point('p', floats([])), /points\[1\].vector is missing; set points\[1\].vector.values or points\[1\].vector.float32_le/],
      [point('p', { values: [], float32Le: Buffer.alloc(10) }), /float32_le has 10 bytes; it must be 4 bytes/],
      [
        point('p', floats([1, 2, 3]), 'c', { blob: 'x'.repeat(17_000) }),
        /points\[1\].metadata is \d+ bytes as JSON; at most 16384 \(LIMIT_MAX_METADATA_BYTES\)/,
      ],
    ];
    for (const [bad, message] of cases) {
      await expectStatus(call(e, e.upsert, { collection: name, points: [good, bad] }), status.INVALID_ARGUMENT, message);
    }
    expect(await count(name)).to.equal(0);
    expect((await call(e, e.getPoints, { collection: name, ids: ['good'], ...getAll })).points).to.deep.equal([]);
    await expectStatus(call(e, e.upsert, { collection: name, points: [] }), status.INVALID_ARGUMENT, /points is empty/);
    await expectStatus(call(e, e.upsert, { collection: uniq('nope'), points: [good] }), status.NOT_FOUND, /collection "nope\w+" not found/);
  });

  it('deletes by ids and by filter, and refuses a delete with neither', async () => {
    const e = server.embedding;
    const name = await createCollection(e);
    const points = Array.from({ length: 10 }, (_, i) => point(`p${i}`, floats([1, i, 0]), `video-${i % 3}`, { parity: i % 2 === 0 ? 'even' : 'odd' }));
    await call(e, e.upsert, { collection: name, points });
    expect((await call(e, e.deletePoints, { collection: name, ids: ['p0', 'p1', 'missing'], filter: undefined })).deletedCount).to.equal(2);
    const byContent = await call(e, e.deletePoints, { collection: name, ids: [], filter: { ...noFilter, contentIds: ['video-2'] } });
    expect(byContent.deletedCount).to.equal(3); // p2, p5, p8
    const byMetadata = await call(e, e.deletePoints, { collection: name, ids: [], filter: { ...noFilter, metadataContains: { parity: 'odd' } } });
    expect(byMetadata.deletedCount).to.equal(3); // p3, p7, p9
    expect(await count(name)).to.equal(2);
    await expectStatus(call(e, e.deletePoints, { collection: name, ids: [], filter: undefined }), status.INVALID_ARGUMENT, /set ids or a non-empty filter/);
    await expectStatus(
      call(e, e.deletePoints, { collection: name, ids: ['p4'], filter: { ...noFilter, contentIds: ['x'] } }),
      status.INVALID_ARGUMENT,
      /not both/,
    );
  });

  it('merges into or replaces metadata, and refuses a merge that grows past the limit', async () => {
    const big = 'y'.repeat(9000);
    const e = server.embedding;
    const name = await createCollection(e);
    await call(e, e.upsert, {
      collection: name,
      points: [point('a', floats([1, 0, 0]), 'c', { brand: 'acme', score: 1, big }), point('b', floats([0, 1, 0]), 'c', { brand: 'zeta' })],
    });
    const merged = await call(e, e.updateMetadata, {
      collection: name,
      ids: ['a', 'missing'],
      metadata: { score: 2, mood: 'calm' },
      mode: MetadataUpdateMode.METADATA_UPDATE_MODE_UNSPECIFIED,
    });
    expect(merged.updatedCount).to.equal(1);
    await call(e, e.updateMetadata, { collection: name, ids: ['b'], metadata: { mood: 'loud' }, mode: MetadataUpdateMode.METADATA_UPDATE_MODE_REPLACE });
    const got = await call(e, e.getPoints, { collection: name, ids: ['a', 'b'], withVectors: false, vectorEncoding: 0 });
    expect(got.points.map((p) => p.metadata)).to.deep.equal([{ brand: 'acme', score: 2, mood: 'calm', big }, { mood: 'loud' }]);
    await expectStatus(
      call(e, e.updateMetadata, { collection: name, ids: ['a'], metadata: { more: big }, mode: MetadataUpdateMode.METADATA_UPDATE_MODE_MERGE }),
      status.INVALID_ARGUMENT,
      /metadata of point "a" would be \d+ bytes after the merge; at most 16384/,
    );
    await expectStatus(call(e, e.updateMetadata, { collection: name, ids: [], metadata: {}, mode: 0 }), status.INVALID_ARGUMENT, /ids is empty/);
  });

  it('scrolls through a filtered collection in id order with opaque page tokens', async () => {
    const e = server.embedding;
    const name = await createCollection(e);
    const points = Array.from({ length: 25 }, (_, i) => point(`p${String(i).padStart(2, '0')}`, floats([1, i, 1]), 'c', { keep: i % 5 !== 0 }));
    await call(e, e.upsert, { collection: name, points });
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await call(e, e.scroll, { collection: name, filter: { ...noFilter, metadataContains: { keep: true } }, pageSize: 7, pageToken, ...getAll });
      seen.push(...page.points.map((p) => p.id));
      expect(page.points.every((p) => p.vector!.values.length === 3)).to.equal(true);
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== '');
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal(points.filter((_, i) => i % 5 !== 0).map((p) => p.id));
    const all = await call(e, e.scroll, { collection: name, filter: undefined, pageSize: 0, pageToken: '', withVectors: false, vectorEncoding: 0 });
    expect(all.points).to.have.length(25);
    expect(all.nextPageToken).to.equal('');
    await expectStatus(
      call(e, e.scroll, { collection: name, filter: undefined, pageSize: 0, pageToken: 'garbage', withVectors: false, vectorEncoding: 0 }),
      status.INVALID_ARGUMENT,
      /page_token is malformed/,
    );
    await expectStatus(
      call(e, e.scroll, { collection: name, filter: undefined, pageSize: 1001, pageToken: '', withVectors: false, vectorEncoding: 0 }),
      status.INVALID_ARGUMENT,
      /page_size is 1001; use 1..1000/,
    );
  });

  it('stores float16 (halfvec) collections: values round to half precision, search works, huge components are refused', async () => {
    const e = server.embedding;
    const name = await createCollection(e, { precision: Precision.PRECISION_FLOAT16, distance: Distance.DISTANCE_L2 });
    await call(e, e.upsert, { collection: name, points: [point('a', floats([1, 0.1, -2])), point('b', floats([10, 10, 10]))] });
    const got = await call(e, e.getPoints, { collection: name, ids: ['a'], ...getAll });
    const values = got.points[0]!.vector!.values;
    expect(values[0]).to.equal(1);
    expect(values[1]).to.be.closeTo(0.1, 1e-3).and.not.equal(Math.fround(0.1));
    const found = await call(e, e.search, {
      collection: name,
      vector: floats([1, 0, -2]),
      pointId: '',
      topK: 2,
      filter: undefined,
      efSearch: 0,
      exact: false,
      groupByContent: false,
      withVectors: false,
      vectorEncoding: 0,
    });
    expect(found.hits.map((h) => h.point!.id)).to.deep.equal(['a', 'b']);
    expect(found.hits[0]!.score).to.equal(-found.hits[0]!.distance);
    expect(found.hits[0]!.distance).to.be.closeTo(0.1, 1e-3);
    await expectStatus(call(e, e.upsert, { collection: name, points: [point('c', floats([70000, 0, 0]))] }), status.INVALID_ARGUMENT, /stores at most ±65504/);
  });
});
