// SearchService without a database: the one retry a stale cached collection earns, the response budget handed down
// as a plain byte limit, scores from distances; and the stored vectors' statement.
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { CollectionCache } from '../../src/embedding/collections/collection-cache.js';
import type { CollectionInfo, SearchQuery, StoredPoint } from '../../src/embedding/embedding.types.js';
import type { QueryInputRepository } from '../../src/embedding/search/query-inputs.repository.js';
import { QueryInputService } from '../../src/embedding/search/query-inputs.service.js';
import type { SearchRepository } from '../../src/embedding/search/search.repository.js';
import { SearchService } from '../../src/embedding/search/search.service.js';
import { storedVectorsStatement } from '../../src/embedding/search/search.sql.js';
import type { PlannedSearch, QueryInputs, SearchAnswer } from '../../src/embedding/search/search.types.js';
import { AppError, unavailable } from '../../src/errors.js';
import { clipCollection } from './collection-fixture.js';

const query: SearchQuery = {
  collection: 'clip',
  vector: Float32Array.of(1, 0),
  topK: 2,
  filter: { contentIds: [] },
  efSearch: 0,
  exact: false,
  groupByContent: false,
  withVectors: false,
};

const point = (id: string, metadata = {}): StoredPoint => ({ id, contentId: 'c', metadata, createdAt: new Date(0), updatedAt: new Date(0) });

/** A search path over fakes: `read` and `search` answer in turn, and every call is recorded. */
function searchPath(reads: ((cached: boolean) => Partial<QueryInputs>)[], searches: SearchAnswer[][], maxResponseBytes = 1 << 20) {
  const cache = new CollectionCache();
  const calls = { reads: [] as boolean[], searches: [] as { plans: readonly PlannedSearch[]; checkTenant?: string; stopAfterBytes: number }[] };
  const inputs = {
    read: async (_request: unknown, cached: ReadonlyMap<string, CollectionInfo> | undefined) => {
      calls.reads.push(cached !== undefined);
      const next = reads[calls.reads.length - 1]!(cached !== undefined);
      return { collections: new Map([['clip', clipCollection]]), points: new Map(), contentMeans: new Map(), fresh: true, ...next };
    },
  } as unknown as QueryInputRepository;
  const repository = {
    search: async (plans: readonly PlannedSearch[], options: { checkTenant?: string; stopAfterBytes: number }) => {
      calls.searches.push({ plans, ...options });
      return searches[calls.searches.length - 1]!;
    },
  } as unknown as SearchRepository;
  const limits = { ...loadConfig({}).limits, maxResponseBytes };
  return { cache, calls, service: new SearchService(new QueryInputService(cache, inputs), repository, limits) };
}

describe('embedding search service', () => {
  it('reads the registry on a cold cache and keeps what it read; scores from distances', async () => {
    const { cache, calls, service } = searchPath([() => ({})], [[{ fresh: true, hits: [{ point: point('a'), distance: 0.25 }] }]]);
    const [hits] = await service.search('default', [query]);
    expect(hits!.map((h) => [h.point.id, h.score, h.distance])).to.deep.equal([['a', 0.75, 0.25]]);
    expect(calls.reads).to.deep.equal([false]);
    expect(calls.searches[0]!.checkTenant).to.equal(undefined);
    expect(cache.getAll('default', ['clip'])?.get('clip')).to.equal(clipCollection);
  });

  it('makes a stale cached search once more with the registry, and only once', async () => {
    const { cache, calls, service } = searchPath(
      [() => ({}), () => ({})],
      [[{ fresh: false, hits: [] }], [{ fresh: true, hits: [{ point: point('b'), distance: 0 }] }]],
    );
    cache.set('default', clipCollection);
    const [hits] = await service.search('default', [query]);
    expect(hits!.map((h) => h.point.id)).to.deep.equal(['b']);
    expect(calls.reads).to.deep.equal([true, false]);
    expect(calls.searches.map((s) => s.checkTenant)).to.deep.equal(['default', undefined]);
  });

  it('does not try again for a failure stale metadata cannot explain, and forgets the cached entry', async () => {
    const { cache, calls, service } = searchPath(
      [
        () => {
          throw unavailable('no database connection free');
        },
      ],
      [],
    );
    cache.set('default', clipCollection);
    const err = await service.search('default', [query]).catch((e: unknown) => e);
    expect((err as AppError).kind).to.equal('unavailable');
    expect(calls.reads).to.deep.equal([true]);
    expect(cache.getAll('default', ['clip'])).to.equal(undefined);
  });

  it('hands the budget left after the reserve down as a byte limit, and refuses an answer that passes it', async () => {
    const big = { caption: 'x'.repeat(400) };
    const answer = (ids: string[]) => ({ fresh: true, hits: ids.map((id) => ({ point: point(id, big), distance: 0 })) });
    const { calls, service } = searchPath([() => ({})], [[answer(['a', 'b']), answer(['c'])]], 1000);
    const err = await service.search('default', [query, query]).catch((e: unknown) => e);
    // Reserved: 2 searches × top_k 2 × 64 bytes per hit = 256 bytes; the rest is the repository's limit.
    expect(calls.searches[0]!.stopAfterBytes).to.equal(1000 - 256);
    expect(err).to.be.instanceOf(AppError);
    expect((err as AppError).message).to.match(/^SearchBatch answer passed 1 KiB \(LIMIT_MAX_RESPONSE_BYTES\) with its points' metadata/);
  });

  it('searches more like a stored point with its vector, NOT_FOUND when it is not there', async () => {
    const stored = new Map([['clip', new Map([['p', { vector: Float32Array.of(0, 1), contentId: 'c' }]])]]);
    const { calls, service } = searchPath([() => ({ points: stored }), () => ({}), () => ({})], [[{ fresh: true, hits: [] }]]);
    const similar = { ...query, vector: undefined, pointId: 'p' };
    await service.search('default', [similar]);
    expect([...calls.searches[0]!.plans[0]!.vector]).to.deep.equal([0, 1]);
    expect(calls.searches[0]!.plans[0]!.excludeId).to.equal('p');
    const missing = await service.search('default', [{ ...similar, pointId: 'q' }]).catch((e: unknown) => e);
    expect((missing as AppError).message).to.equal('point "q" not found in collection "clip"; search by vector or upsert it first');
    // Not found behind the cache may mean a recreated collection: asked once more of the registry.
    expect(calls.reads).to.deep.equal([false, true, false]);
  });
});

describe('embedding stored vectors statement', () => {
  it('reads points by id and contents by mean in one statement, checking cached collections in it', () => {
    const lookups = [{ collection: clipCollection, pointIds: ['a', 'b'], contentIds: ['c'] }];
    const plain = storedVectorsStatement(lookups, undefined);
    expect(plain.sql).to.include('where id = any($1::text[])').and.include('l2_normalize(avg(l2_normalize(embedding)))').and.include('union all');
    expect(plain.sql).to.not.include('fresh');
    expect(plain.params).to.deep.equal([['a', 'b'], ['c']]);
    const checked = storedVectorsStatement([{ ...lookups[0]!, contentIds: [] }], 'tenant-a');
    expect(checked.sql).to.include('as fresh) checked left join').and.not.include('union all');
    expect(checked.params.slice(0, 3)).to.deep.equal([['a', 'b'], 'tenant-a', 'clip']);
  });
});
