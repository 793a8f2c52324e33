// collections.point_count stays exact: after every write path, GetCollection's count equals the rows of the
// collection's table (DeleteContent of the metrics area included: it asks the embedding area to delete points).
import { expect } from 'chai';
import { BACKEND, call, uniq, type TestServer } from '../helpers/server.js';
import { createCollection, floats, point, sharedServer, streamMessages, upsertStream } from '../helpers/embedding.js';

const TENANT = 'default';

describe(`embedding point count (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await sharedServer();
  });

  const e = () => server.embedding;

  /** The registry row of a collection of the default tenant, or undefined once deleted. */
  async function registryRow(name: string): Promise<{ table_name: string; point_count: string | number } | undefined> {
    const rows = await server.running.db.knex('collections').where({ tenant_id: TENANT, name }).select('table_name', 'point_count');
    return rows[0];
  }

  /** Asserts that GetCollection's point count is the number of rows of the collection's table; returns it. */
  async function expectExactCount(name: string): Promise<number> {
    const row = await registryRow(name);
    expect(row, `collection ${name} registered`).to.not.equal(undefined);
    const counted = await server.running.db.knex.raw(`select count(*)::int as n from "${row!.table_name.replace(/"/g, '""')}"`);
    const stored = Number(counted.rows[0].n);
    const reported = (await call(e(), e().getCollection, { name })).collection!.pointCount;
    expect(reported, `point_count of ${name}`).to.equal(stored);
    return stored;
  }

  const vector = (i: number) => floats([1, i, 0]);

  it('counts inserts and updates of Upsert and UpsertStream exactly', async () => {
    const name = await createCollection(e());
    await call(e(), e().upsert, { collection: name, points: [point('a', vector(1)), point('b', vector(2))] });
    expect(await expectExactCount(name)).to.equal(2);
    await call(e(), e().upsert, { collection: name, points: [point('a', vector(3)), point('c', vector(4))] });
    expect(await expectExactCount(name)).to.equal(3);
    const streamed = Array.from({ length: 30 }, (_, i) => point(`s${i}`, vector(i)));
    await upsertStream(e(), streamMessages(name, [...streamed, point('a', vector(9))], 7));
    expect(await expectExactCount(name)).to.equal(33);
  });

  it('counts DeletePoints by ids and by filter exactly', async () => {
    const name = await createCollection(e());
    const points = Array.from({ length: 6 }, (_, i) => point(`p${i}`, vector(i), i < 3 ? 'keep' : 'drop'));
    await call(e(), e().upsert, { collection: name, points });
    await call(e(), e().deletePoints, { collection: name, ids: ['p0', 'missing'], filter: undefined });
    expect(await expectExactCount(name)).to.equal(5);
    await call(e(), e().deletePoints, {
      collection: name,
      ids: [],
      filter: { contentIds: ['drop'], createdAfter: undefined, createdBefore: undefined, metadataContains: undefined },
    });
    expect(await expectExactCount(name)).to.equal(2);
  });

  it('lowers the count of every collection when DeleteContent removes the content’s points', async () => {
    const m = server.metrics;
    const contentId = uniq('v');
    await call(m, m.registerContent, {
      content: {
        contentId,
        durationS: 10,
        features: undefined,
        metadata: undefined,
        createTime: undefined,
        updateTime: undefined,
      },
    });
    const first = await createCollection(e());
    const second = await createCollection(e());
    await call(e(), e().upsert, {
      collection: first,
      points: [point('x1', vector(1), contentId), point('x2', vector(2), contentId), point('x3', vector(3), 'other')],
    });
    await call(e(), e().upsert, { collection: second, points: [point('y1', vector(1), contentId)] });
    const deleted = await call(m, m.deleteContent, { contentId });
    expect(deleted.pointsDeletedCount).to.equal(3);
    expect(await expectExactCount(first)).to.equal(1);
    expect(await expectExactCount(second)).to.equal(0);
    const scrolled = await call(e(), e().scroll, {
      collection: first,
      filter: undefined,
      pageSize: 10,
      pageToken: '',
      withVectors: false,
      vectorEncoding: 0,
    });
    expect(scrolled.points.map((p) => p.id)).to.deep.equal(['x3']);
  });

  it('removes the registry row with DeleteCollection and reports the points it held', async () => {
    const name = await createCollection(e());
    await call(e(), e().upsert, { collection: name, points: [point('a', vector(1)), point('b', vector(2))] });
    expect(await expectExactCount(name)).to.equal(2);
    const before = Number((await server.running.db.knex('collections').where({ tenant_id: TENANT }).count({ n: '*' }))[0]!.n);
    const response = await call(e(), e().deleteCollection, { name });
    expect(response.deletedPointsCount).to.equal(2);
    expect(await registryRow(name)).to.equal(undefined);
    const after = Number((await server.running.db.knex('collections').where({ tenant_id: TENANT }).count({ n: '*' }))[0]!.n);
    expect(after).to.equal(before - 1);
  });
});
