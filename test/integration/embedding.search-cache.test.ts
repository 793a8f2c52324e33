// The search path's per-process collection cache: another process deleting and recreating a collection under the
// same name (other dimension, other distance) must never be answered with the stale metadata.
import { expect } from 'chai';
import { CollectionCache } from '../../src/embedding/collection-cache.js';
import { EmbeddingRepository } from '../../src/embedding/embedding.repository.js';
import { SearchRepository } from '../../src/embedding/search.repository.js';
import type { CollectionInfo, CollectionSpec, SearchQuery } from '../../src/embedding/embedding.types.js';
import { AppError } from '../../src/errors.js';
import { BACKEND, uniq, type TestServer } from '../helpers/server.js';
import { sharedServer } from '../helpers/embedding.js';

const TENANT = 'default';

function spec(name: string, dimension: number, distance: CollectionSpec['distance']): CollectionSpec {
  return { name, embeddingType: 'text', dimension, distance, precision: 'float32', hnswM: 16, hnswEfConstruction: 64, hnswEfSearch: 40, description: '' };
}

function query(collection: string, vector: number[]): SearchQuery {
  return {
    collection,
    vector: Float32Array.from(vector),
    topK: 3,
    filter: { contentIds: [] },
    efSearch: 0,
    exact: false,
    groupByContent: false,
    withVectors: false,
  };
}

/** The service's check, in short: the vector's length must match the collection. */
function plan(q: SearchQuery) {
  return (collections: ReadonlyMap<string, CollectionInfo>) => {
    const collection = collections.get(q.collection)!;
    if (q.vector!.length !== collection.dimension)
      throw new AppError('invalid_argument', `vector has ${q.vector!.length} dimensions, expected ${collection.dimension}`);
    return [{ collection, query: q, filtered: false }];
  };
}

async function recreate(
  repository: EmbeddingRepository,
  name: string,
  dimension: number,
  distance: CollectionSpec['distance'],
  points: Array<[string, number[]]>,
) {
  await repository.deleteCollection(TENANT, name);
  const collection = await repository.createCollection(TENANT, spec(name, dimension, distance), 1000);
  const inputs = points.map(([id, vector]) => ({ id, contentId: 'c', vector: Float32Array.from(vector), metadata: {} }));
  await repository.upsertPoints(TENANT, collection, inputs, 1e9);
}

describe(`embedding search cache (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await sharedServer();
  });

  it('searches a collection recreated by another process with its new dimension and distance', async () => {
    const name = uniq('cache');
    // A process's repositories share its collection cache, as src/app.ts builds them.
    const thisCache = new CollectionCache();
    const thisProcess = new EmbeddingRepository(server.running.db, thisCache);
    const thisSearch = new SearchRepository(server.running.db, thisCache);
    const otherProcess = new EmbeddingRepository(server.running.db, new CollectionCache());
    const first = await otherProcess.createCollection(TENANT, spec(name, 3, 'cosine'), 1000);
    await otherProcess.upsertPoints(TENANT, first, [{ id: 'a', contentId: 'c', vector: Float32Array.from([1, 0, 0]), metadata: {} }], 1e9);
    const before = await thisSearch.search(TENANT, [name], plan(query(name, [1, 0, 0])));
    expect(before[0]!.map((h) => h.point.id)).to.deep.equal(['a']);

    // Same dimension, l2 instead of cosine: the plan passes on the cached entry, the check in the search catches it.
    // Under l2 "near" is nearest to (9, 9, 0); under cosine it would be "aligned".
    await recreate(otherProcess, name, 3, 'l2', [
      ['near', [5, 15, 0]],
      ['aligned', [90, 100, 0]],
    ]);
    const sameDimension = await thisSearch.search(TENANT, [name], plan(query(name, [9, 9, 0])));
    expect(sameDimension[0]!.map((h) => h.point.id)).to.deep.equal(['near', 'aligned']);
    // Another dimension: the cached entry would reject the vector; the fresh one takes it.
    await recreate(otherProcess, name, 2, 'l2', [
      ['near', [10, 10]],
      ['far', [1, 1]],
    ]);
    const otherDimension = await thisSearch.search(TENANT, [name], plan(query(name, [9, 9])));
    expect(otherDimension[0]!.map((h) => h.point.id)).to.deep.equal(['near', 'far']);
    await thisProcess.deleteCollection(TENANT, name);
  });

  it("reads Recommend's examples from a collection recreated by another process, with its new dimension", async () => {
    const name = uniq('cache');
    const thisCache = new CollectionCache();
    const thisSearch = new SearchRepository(server.running.db, thisCache);
    const otherProcess = new EmbeddingRepository(server.running.db, new CollectionCache());
    const first = await otherProcess.createCollection(TENANT, spec(name, 3, 'cosine'), 1000);
    await otherProcess.upsertPoints(TENANT, first, [{ id: 'a', contentId: 'c', vector: Float32Array.from([1, 0, 0]), metadata: {} }], 1e9);
    // Cold cache: the registry is read, then the examples (unknown ids are simply absent).
    const cold = await thisSearch.collectionWithVectors(TENANT, name, ['a', 'missing']);
    expect(cold.collection.dimension).to.equal(3);
    expect([...cold.vectors.keys()]).to.deep.equal(['a']);
    expect([...cold.vectors.get('a')!]).to.deep.equal([1, 0, 0]);
    // Warm cache, unchanged collection: one statement, same answer.
    const warm = await thisSearch.collectionWithVectors(TENANT, name, ['a']);
    expect(warm.collection.tableName).to.equal(cold.collection.tableName);
    expect([...warm.vectors.get('a')!]).to.deep.equal([1, 0, 0]);
    // Recreated with another dimension behind the warm cache: the check in the statement sends it to the registry.
    await recreate(otherProcess, name, 2, 'l2', [['a', [3, 4]]]);
    const recreated = await thisSearch.collectionWithVectors(TENANT, name, ['a']);
    expect(recreated.collection.dimension).to.equal(2);
    expect(recreated.collection.distance).to.equal('l2');
    expect([...recreated.vectors.get('a')!]).to.deep.equal([3, 4]);
    // Deleted behind the warm cache: NOT_FOUND naming the collection.
    await otherProcess.deleteCollection(TENANT, name);
    const gone = await thisSearch.collectionWithVectors(TENANT, name, ['a']).catch((err: unknown) => err);
    expect(gone).to.be.instanceOf(AppError);
    expect((gone as AppError).kind).to.equal('not_found');
    expect((gone as AppError).message).to.include(name);
  });
});
