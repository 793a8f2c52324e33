// EmbeddingService collections over gRPC: create / get / list / delete, defaults, limits and bad input.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Distance, EmbeddingType, Precision } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { BACKEND, call, expectStatus, uniq, type TestServer } from '../helpers/server.js';
import { createCollection, floats, point, sharedServer } from '../helpers/embedding.js';

describe(`embedding collections (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await sharedServer();
  });

  it('creates a collection with defaults, reads it back, lists it and deletes it with its points', async () => {
    const e = server.embedding;
    const name = uniq('clip');
    await createCollection(e, {
      name,
      dimension: 4,
      distance: Distance.DISTANCE_UNSPECIFIED,
      precision: Precision.PRECISION_UNSPECIFIED,
      description: 'frames',
    });
    const created = await call(e, e.getCollection, { name });
    expect(created.collection).to.include({
      name,
      dimension: 4,
      distance: Distance.DISTANCE_COSINE,
      precision: Precision.PRECISION_FLOAT32,
      description: 'frames',
      pointCount: 0,
    });
    expect(created.collection!.hnsw).to.deep.equal({ m: 16, efConstruction: 128, efSearch: 100 });
    expect(created.collection!.createTime).to.be.instanceOf(Date);

    await call(e, e.upsert, { collection: name, points: [point('a', floats([1, 0, 0, 0])), point('b', floats([0, 1, 0, 0]))] });
    const got = await call(e, e.getCollection, { name });
    expect(got.collection!.pointCount).to.equal(2);

    const listed = await call(e, e.listCollections, { embeddingType: EmbeddingType.EMBEDDING_TYPE_UNSPECIFIED });
    expect(listed.collections.map((c) => c.name)).to.include(name);
    const names = listed.collections.map((c) => c.name);
    expect(names).to.deep.equal([...names].sort());

    const deleted = await call(e, e.deleteCollection, { name });
    expect(deleted.deletedPointsCount).to.equal(2);
    await expectStatus(call(e, e.getCollection, { name }), status.NOT_FOUND, new RegExp(`collection "${name}" not found`));
    await expectStatus(call(e, e.deleteCollection, { name }), status.NOT_FOUND);
    // The name is free again, with a fresh empty table.
    await createCollection(e, { name, dimension: 4 });
    expect((await call(e, e.getCollection, { name })).collection!.pointCount).to.equal(0);
  });

  it('filters the list by embedding type', async () => {
    const e = server.embedding;
    const audio = await createCollection(e, { embeddingType: EmbeddingType.EMBEDDING_TYPE_AUDIO });
    const text = await createCollection(e, { embeddingType: EmbeddingType.EMBEDDING_TYPE_TEXT });
    const listed = await call(e, e.listCollections, { embeddingType: EmbeddingType.EMBEDDING_TYPE_AUDIO });
    const names = listed.collections.map((c) => c.name);
    expect(names).to.include(audio);
    expect(names).to.not.include(text);
    expect(listed.collections.every((c) => c.embeddingType === EmbeddingType.EMBEDDING_TYPE_AUDIO)).to.equal(true);
  });

  it('creates every distance and precision combination, with custom HNSW parameters', async () => {
    const e = server.embedding;
    for (const distance of [Distance.DISTANCE_COSINE, Distance.DISTANCE_L2, Distance.DISTANCE_INNER_PRODUCT]) {
      for (const precision of [Precision.PRECISION_FLOAT32, Precision.PRECISION_FLOAT16]) {
        const name = await createCollection(e, { distance, precision, hnsw: { m: 8, efConstruction: 32, efSearch: 40 } });
        const res = await call(e, e.getCollection, { name });
        expect(res.collection).to.include({ distance, precision });
        expect(res.collection!.hnsw).to.deep.equal({ m: 8, efConstruction: 32, efSearch: 40 });
      }
    }
  });

  it('accepts the dimension limits of the index (2,000 float32, 4,000 float16) and rejects one more, saying so', async () => {
    const e = server.embedding;
    await createCollection(e, { dimension: 2000 });
    await createCollection(e, { dimension: 4000, precision: Precision.PRECISION_FLOAT16 });
    await expectStatus(
      createCollection(e, { dimension: 2001 }),
      status.INVALID_ARGUMENT,
      /collection.dimension is 2001; a float32 collection with an HNSW index allows 1..2000 dimensions \(float16 precision allows up to 4000\)/,
    );
    await expectStatus(createCollection(e, { dimension: 4001, precision: Precision.PRECISION_FLOAT16 }), status.INVALID_ARGUMENT, /1..4000/);
    await expectStatus(createCollection(e, { dimension: 0 }), status.INVALID_ARGUMENT, /dimension is 0/);
  });

  it('answers ALREADY_EXISTS for a duplicate name and INVALID_ARGUMENT for bad names and parameters', async () => {
    const e = server.embedding;
    const name = await createCollection(e);
    await expectStatus(createCollection(e, { name }), status.ALREADY_EXISTS, new RegExp(`collection "${name}" already exists`));
    await expectStatus(createCollection(e, { name: 'Bad Name' }), status.INVALID_ARGUMENT, /"Bad Name" is not a valid name/);
    await expectStatus(createCollection(e, { name: '' }), status.INVALID_ARGUMENT, /collection.name is empty/);
    await expectStatus(
      createCollection(e, { embeddingType: EmbeddingType.EMBEDDING_TYPE_UNSPECIFIED }),
      status.INVALID_ARGUMENT,
      /embedding_type must be one of/,
    );
    await expectStatus(createCollection(e, { hnsw: { m: 200, efConstruction: 0, efSearch: 0 } }), status.INVALID_ARGUMENT, /hnsw.m is 200; use 2..100/);
    await expectStatus(createCollection(e, { hnsw: { m: 32, efConstruction: 40, efSearch: 0 } }), status.INVALID_ARGUMENT, /at least 2 × m \(64\)/);
    await expectStatus(call(e, e.createCollection, { collection: undefined }), status.INVALID_ARGUMENT, /collection is missing/);
    await expectStatus(call(e, e.getCollection, { name: uniq('missing') }), status.NOT_FOUND, /not found/);
  });
});
