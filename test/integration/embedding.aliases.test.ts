// Collection aliases over gRPC: every point RPC through an alias, the atomic switch (searches answer throughout),
// deletes guarded by aliases, and the bad-input statuses.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import type { SearchRequest } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { BACKEND, call, expectStatus, uniq, type TestServer } from '../helpers/server.js';
import { createCollection, floats, point, searchRequest, sharedServer, upsertStream } from '../helpers/embedding.js';

/** A search of `collection` near `values`. */
const searchNear = (collection: string, values: number[], overrides: Partial<SearchRequest> = {}) =>
  searchRequest(collection, { vector: floats(values), ...overrides });

describe(`embedding aliases (${BACKEND})`, () => {
  let server: TestServer;
  const aliases = new Set<string>();
  before(async () => {
    server = await sharedServer();
  });
  // Aliases keep their collections from being deleted: remove them before the shared clean-up deletes collections.
  after(async () => {
    const e = server.embedding;
    for (const alias of aliases) await call(e, e.deleteAlias, { alias }).catch(() => undefined);
  });

  const createAlias = async (alias: string, collection: string) => {
    aliases.add(alias);
    return call(server.embedding, server.embedding.createAlias, { alias, collection });
  };
  const ids = (res: { hits: { point?: { id: string } }[] }) => res.hits.map((h) => h.point!.id).sort();

  it('serves every point RPC through an alias, on the collection it points to', async () => {
    const e = server.embedding;
    const target = await createCollection(e, { dimension: 4 });
    const other = await createCollection(e, { dimension: 4 });
    const alias = uniq('al');
    const created = await createAlias(alias, target);
    expect(created.alias).to.include({ alias, collection: target });
    expect(created.alias!.createTime).to.be.instanceOf(Date);

    expect((await call(e, e.getCollection, { name: alias })).collection!.name).to.equal(target);
    expect(await call(e, e.upsert, { collection: alias, points: [point('a', floats([1, 0, 0, 0])), point('b', floats([0, 1, 0, 0]))] })).to.deep.equal({
      insertedCount: 2,
      updatedCount: 0,
    });
    // A stream may repeat the alias in later messages.
    const streamed = await upsertStream(e, [
      { collection: alias, points: [point('c', floats([0, 0, 1, 0]))] },
      { collection: alias, points: [point('d', floats([0, 0, 0, 1]))] },
    ]);
    expect(streamed.insertedCount).to.equal(2);
    expect((await call(e, e.getCollection, { name: target })).collection!.pointCount).to.equal(4);
    expect((await call(e, e.getCollection, { name: other })).collection!.pointCount).to.equal(0);

    const got = await call(e, e.getPoints, { collection: alias, ids: ['a', 'd'], withVectors: false, vectorEncoding: 0 });
    expect(got.points.map((p) => p.id)).to.deep.equal(['a', 'd']);
    expect(await call(e, e.updateMetadata, { collection: alias, ids: ['a'], metadata: { tag: 'x' }, mode: 0 })).to.deep.equal({ updatedCount: 1 });
    const scrolled = await call(e, e.scroll, {
      collection: alias,
      filter: { contentIds: [], createdAfter: undefined, createdBefore: undefined, metadataContains: { tag: 'x' } },
      pageSize: 10,
      pageToken: '',
      withVectors: false,
      vectorEncoding: 0,
    });
    expect(scrolled.points.map((p) => p.id)).to.deep.equal(['a']);
    expect(ids(await call(e, e.search, searchNear(alias, [1, 0, 0, 0], { topK: 1 })))).to.deep.equal(['a']);
    expect(ids(await call(e, e.search, searchNear(alias, [1, 0, 0, 0], { topK: 1, exact: true })))).to.deep.equal(['a']);
    const batch = await call(e, e.searchBatch, {
      searches: [searchNear(alias, [0, 1, 0, 0], { topK: 1 }), searchNear(target, [0, 0, 1, 0], { topK: 1 })],
    });
    expect(batch.results.map(ids)).to.deep.equal([['b'], ['c']]);
    expect(await call(e, e.deletePoints, { collection: alias, ids: ['d'], filter: undefined })).to.deep.equal({ deletedCount: 1 });
    expect((await call(e, e.getCollection, { name: target })).collection!.pointCount).to.equal(3);
  });

  it('switches an alias atomically: a search right after the switch reads the new collection, and none fails meanwhile', async () => {
    const e = server.embedding;
    const v1 = await createCollection(e, { dimension: 4 });
    const v2 = await createCollection(e, { dimension: 4 });
    await call(e, e.upsert, { collection: v1, points: [point('old', floats([1, 0, 0, 0]))] });
    await call(e, e.upsert, { collection: v2, points: [point('new', floats([1, 0, 0, 0]))] });
    const alias = uniq('al');
    await createAlias(alias, v1);
    // Warm this process's collection cache with the alias → v1.
    expect(ids(await call(e, e.search, searchNear(alias, [1, 0, 0, 0])))).to.deep.equal(['old']);

    const switched = await call(e, e.switchAlias, { alias, collection: v2 });
    expect(switched.previousCollection).to.equal(v1);
    expect(switched.alias).to.include({ alias, collection: v2 });
    expect(switched.alias!.updateTime!.getTime()).to.be.at.least(switched.alias!.createTime!.getTime());
    expect(ids(await call(e, e.search, searchNear(alias, [1, 0, 0, 0])))).to.deep.equal(['new']);
    expect(ids(await call(e, e.search, searchNear(alias, [1, 0, 0, 0], { exact: true })))).to.deep.equal(['new']);

    // Searches running while the alias flips back and forth each answer from one of the two collections.
    const searches = Array.from({ length: 40 }, () => call(e, e.search, searchNear(alias, [1, 0, 0, 0])));
    for (const next of [v1, v2, v1, v2]) await call(e, e.switchAlias, { alias, collection: next });
    for (const res of await Promise.all(searches)) {
      expect(ids(res)).to.have.length(1);
      expect(ids(res)[0]).to.be.oneOf(['old', 'new']);
    }
    expect(ids(await call(e, e.search, searchNear(alias, [1, 0, 0, 0])))).to.deep.equal(['new']);

    const listed = await call(e, e.listAliases, { collection: v2 });
    expect(listed.aliases.map((a) => [a.alias, a.collection])).to.deep.equal([[alias, v2]]);
    expect((await call(e, e.listAliases, { collection: v1 })).aliases).to.deep.equal([]);
    expect((await call(e, e.listAliases, { collection: '' })).aliases.map((a) => a.alias)).to.include(alias);

    // The re-index flow ends by deleting the old collection; the aliased one is kept until the alias moves.
    await call(e, e.deleteCollection, { name: v1 });
    await expectStatus(call(e, e.deleteCollection, { name: v2 }), status.FAILED_PRECONDITION, new RegExp(`target of alias "${alias}"; switch or delete`));
    await expectStatus(call(e, e.deleteCollection, { name: alias }), status.INVALID_ARGUMENT, new RegExp(`"${alias}" is an alias of collection "${v2}"`));
    expect(await call(e, e.deleteAlias, { alias })).to.deep.equal({ collection: v2 });
    await expectStatus(call(e, e.search, searchNear(alias, [1, 0, 0, 0])), status.NOT_FOUND, new RegExp(`collection "${alias}" not found`));
    await expectStatus(call(e, e.deleteAlias, { alias }), status.NOT_FOUND, new RegExp(`alias "${alias}" not found`));
    await call(e, e.deleteCollection, { name: v2 });
  });

  it('rejects names that clash, chains of aliases, unknown targets and a switch to another dimension', async () => {
    const e = server.embedding;
    const four = await createCollection(e, { dimension: 4 });
    const eight = await createCollection(e, { dimension: 8 });
    const alias = uniq('al');
    await createAlias(alias, four);

    await expectStatus(createAlias(eight, four), status.INVALID_ARGUMENT, new RegExp(`alias "${eight}" is the name of a collection`));
    await expectStatus(createAlias(uniq('al'), alias), status.INVALID_ARGUMENT, new RegExp(`"${alias}" is itself an alias \\(of collection "${four}"\\)`));
    await expectStatus(createAlias(uniq('al'), 'no-such-collection'), status.NOT_FOUND, /collection "no-such-collection" not found/);
    await expectStatus(createAlias(alias, eight), status.ALREADY_EXISTS, new RegExp(`alias "${alias}" already exists; use SwitchAlias`));
    await expectStatus(createAlias(four, four), status.INVALID_ARGUMENT, /cannot point to itself/);
    await expectStatus(createAlias('Bad Name', four), status.INVALID_ARGUMENT, /alias "Bad Name" is not a valid name/);
    await expectStatus(call(e, e.createAlias, { alias: '', collection: four }), status.INVALID_ARGUMENT, /alias is empty/);
    await expectStatus(
      call(e, e.createCollection, { collection: { ...(await call(e, e.getCollection, { name: four })).collection!, name: alias } }),
      status.ALREADY_EXISTS,
      new RegExp(`"${alias}" is already an alias of collection "${four}"`),
    );

    await expectStatus(
      call(e, e.switchAlias, { alias, collection: eight }),
      status.FAILED_PRECONDITION,
      new RegExp(`collection "${eight}" has 8 dimensions but alias "${alias}" points to "${four}" with 4`),
    );
    await expectStatus(call(e, e.switchAlias, { alias: uniq('none'), collection: four }), status.NOT_FOUND, /alias "none\w+" not found/);
    const second = uniq('al');
    await createAlias(second, four);
    await expectStatus(call(e, e.switchAlias, { alias, collection: second }), status.INVALID_ARGUMENT, new RegExp(`"${second}" is itself an alias`));
    await expectStatus(call(e, e.switchAlias, { alias, collection: 'gone' }), status.NOT_FOUND, /collection "gone" not found/);
    // Nothing above moved the alias.
    expect((await call(e, e.listAliases, { collection: four })).aliases.map((a) => a.alias).sort()).to.deep.equal([alias, second].sort());
    await expectStatus(call(e, e.listAliases, { collection: 'Not Valid' }), status.INVALID_ARGUMENT, /collection "Not Valid" is not a valid name/);
  });
});
