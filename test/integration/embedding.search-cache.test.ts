// The search path's per-process collection cache: another process deleting and recreating a collection under the
// same name (other dimension, other distance) must never be answered with the stale metadata; a warm search is one
// statement.
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { runInScope } from '../../src/db/work-scope.js';
import { CollectionCache } from '../../src/embedding/collections/collection-cache.js';
import { CollectionRepository } from '../../src/embedding/collections/collection.repository.js';
import type { CollectionSpec, SearchQuery } from '../../src/embedding/embedding.types.js';
import { PointRepository } from '../../src/embedding/points/point.repository.js';
import { QueryInputRepository } from '../../src/embedding/search/query-inputs.repository.js';
import { QueryInputService } from '../../src/embedding/search/query-inputs.service.js';
import { SearchRepository } from '../../src/embedding/search/search.repository.js';
import { SearchService } from '../../src/embedding/search/search.service.js';
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

/** Another process's view of the registry: its own (empty) cache. */
function otherProcess(server: TestServer) {
  return { collections: new CollectionRepository(server.running.db, new CollectionCache()), points: new PointRepository(server.running.db) };
}

/** This process's search path, as src/app.ts builds it: the services share one collection cache. */
function thisProcess(server: TestServer) {
  const inputs = new QueryInputService(new CollectionCache(), new QueryInputRepository(server.running.db));
  return { inputs, search: new SearchService(inputs, new SearchRepository(server.running.db), loadConfig({}).limits) };
}

/** Creates the collection with its points, deleting it first when it exists. */
async function recreate(
  other: ReturnType<typeof otherProcess>,
  name: string,
  dimension: number,
  distance: CollectionSpec['distance'],
  points: Array<[string, number[]]>,
) {
  await other.collections.deleteCollection(TENANT, name).catch((err: unknown) => {
    if (!(err instanceof AppError && err.kind === 'not_found')) throw err;
  });
  const collection = await other.collections.createCollection(TENANT, spec(name, dimension, distance), 1000);
  const inputs = points.map(([id, vector]) => ({ id, contentId: 'c', vector: Float32Array.from(vector), metadata: {} }));
  await other.points.upsertPoints(TENANT, collection, inputs, 1e9);
}

describe(`embedding search cache (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await sharedServer();
  });

  it('searches a collection recreated by another process with its new dimension and distance', async () => {
    const name = uniq('cache');
    const { search } = thisProcess(server);
    const other = otherProcess(server);
    await recreate(other, name, 3, 'cosine', [['a', [1, 0, 0]]]);
    const before = await search.search(TENANT, [query(name, [1, 0, 0])]);
    expect(before[0]!.map((h) => h.point.id)).to.deep.equal(['a']);

    // Same dimension, l2 instead of cosine: the check passes on the cached entry, the check in the search catches it.
    // Under l2 "near" is nearest to (9, 9, 0); under cosine it would be "aligned".
    await recreate(other, name, 3, 'l2', [
      ['near', [5, 15, 0]],
      ['aligned', [90, 100, 0]],
    ]);
    const sameDimension = await search.search(TENANT, [query(name, [9, 9, 0])]);
    expect(sameDimension[0]!.map((h) => h.point.id)).to.deep.equal(['near', 'aligned']);
    expect(sameDimension[0]![0]!.score).to.be.below(0);
    // Another dimension: the cached entry would reject the vector; the fresh one takes it.
    await recreate(other, name, 2, 'l2', [
      ['near', [10, 10]],
      ['far', [1, 1]],
    ]);
    const otherDimension = await search.search(TENANT, [query(name, [9, 9])]);
    expect(otherDimension[0]!.map((h) => h.point.id)).to.deep.equal(['near', 'far']);
    // More like a point, behind a warm cache of a recreated collection: its stored vector comes from the new table.
    await recreate(other, name, 2, 'l2', [
      ['from', [10, 10]],
      ['close', [9, 9]],
      ['away', [0, 0]],
    ]);
    const similar = await search.search(TENANT, [{ ...query(name, []), vector: undefined, pointId: 'from' }]);
    expect(similar[0]!.map((h) => h.point.id)).to.deep.equal(['close', 'away']);
    await other.collections.deleteCollection(TENANT, name);
  });

  it("reads Recommend's examples from a collection recreated by another process, with its new dimension", async () => {
    const name = uniq('cache');
    const { inputs } = thisProcess(server);
    const other = otherProcess(server);
    await recreate(other, name, 3, 'cosine', [['a', [1, 0, 0]]]);
    const examples = (ids: string[]) => inputs.readChecked({ tenantId: TENANT, names: [name], lookups: new Map([[name, { pointIds: ids, contentIds: [] }]]) });
    const vectorOf = (found: Awaited<ReturnType<typeof examples>>, id: string) => [...found.points.get(name)!.get(id)!.vector];
    // Cold cache: the registry is read, then the examples (unknown ids are simply absent).
    const cold = await examples(['a', 'missing']);
    expect(cold.collections.get(name)!.dimension).to.equal(3);
    expect([...cold.points.get(name)!.keys()]).to.deep.equal(['a']);
    expect(vectorOf(cold, 'a')).to.deep.equal([1, 0, 0]);
    // Warm cache, unchanged collection: one statement, same answer.
    const warm = await examples(['a']);
    expect(warm.collections.get(name)!.tableName).to.equal(cold.collections.get(name)!.tableName);
    expect(vectorOf(warm, 'a')).to.deep.equal([1, 0, 0]);
    // Recreated with another dimension behind the warm cache: the check in the statement sends it to the registry.
    await recreate(other, name, 2, 'l2', [['a', [3, 4]]]);
    const recreated = await examples(['a']);
    expect(recreated.collections.get(name)!.dimension).to.equal(2);
    expect(recreated.collections.get(name)!.distance).to.equal('l2');
    expect(vectorOf(recreated, 'a')).to.deep.equal([3, 4]);
    // Deleted behind the warm cache: NOT_FOUND naming the collection.
    await other.collections.deleteCollection(TENANT, name);
    const gone = await examples(['a']).catch((err: unknown) => err);
    expect(gone).to.be.instanceOf(AppError);
    expect((gone as AppError).kind).to.equal('not_found');
    expect((gone as AppError).message).to.include(name);
  });

  it('answers an approximate search on a warm cache and connection with one statement', async () => {
    const name = uniq('cache');
    const { search } = thisProcess(server);
    const other = otherProcess(server);
    await recreate(other, name, 3, 'cosine', [
      ['a', [1, 0, 0]],
      ['b', [0, 1, 0]],
    ]);
    const statements = async () => {
      let sent = 0;
      const trace = (stage: string) => {
        if (stage === 'query.sent') sent++;
      };
      const [hits] = await runInScope({ trace }, () => search.search(TENANT, [query(name, [1, 0.1, 0])]));
      expect(hits!.map((h) => h.point.id)).to.deep.equal(['a', 'b']);
      return sent;
    };
    // Cold: the registry, then the search (and its HNSW settings on a connection that has other ones).
    expect(await statements()).to.be.within(2, 3);
    // Warm: the search statement alone, once the connection carries the settings (a pool may hand out a new one).
    const warm: number[] = [];
    for (let i = 0; i < 6; i++) warm.push(await statements());
    expect(Math.min(...warm)).to.equal(1);
    expect(Math.max(...warm)).to.be.at.most(2);
    await other.collections.deleteCollection(TENANT, name);
  });
});
