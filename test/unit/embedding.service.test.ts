// PointService logic without a database: stream chunking, rejections, last-write-wins; the SQL text of tables,
// filters and searches.
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import type { CollectionRepository } from '../../src/embedding/collections/collection.repository.js';
import { createTableStatements, tableNameFor } from '../../src/embedding/collections/collection-table.sql.js';
import { filterConditions, Params } from '../../src/embedding/embedding.sql.js';
import type { PointRepository } from '../../src/embedding/points/point.repository.js';
import { lastWriteWins, MAX_REPORTED_REJECTIONS, PointService, STREAM_CHUNK_POINTS } from '../../src/embedding/points/point.service.js';
import { hnswSettings, searchStatement } from '../../src/embedding/search/search.sql.js';
import { scoreFromDistance } from '../../src/embedding/search/similarity.js';
import type { CollectionInfo, PointInput, UpsertStreamChunk } from '../../src/embedding/embedding.types.js';
import { clipCollection } from './collection-fixture.js';

const collection = clipCollection;
const pointInput = (id: string, vector = Float32Array.of(1, 0)): PointInput => ({ id, contentId: 'c', vector, metadata: {} });

/** A repository that records what upsertPoints receives and reports every point as inserted. */
function recordingRepository() {
  const batches: PointInput[][] = [];
  const repository = {
    getCollection: async () => collection,
    upsertPoints: async (_tenant: string, _collection: CollectionInfo, points: PointInput[]) => {
      batches.push(points);
      return { inserted: points.length, updated: 0 };
    },
  };
  return { collections: repository as unknown as CollectionRepository, repository: repository as unknown as PointRepository, batches };
}

async function* chunks(messages: UpsertStreamChunk[]): AsyncIterable<UpsertStreamChunk> {
  yield* messages;
}

describe('embedding points service: upsert stream', () => {
  const limits = loadConfig({}).limits;

  it('writes in chunks of about STREAM_CHUNK_POINTS and reports rejections by stream position', async () => {
    const { collections, repository, batches } = recordingRepository();
    const service = new PointService(collections, repository, limits, { builds: { start: () => undefined } });
    const messages: UpsertStreamChunk[] = Array.from({ length: 20 }, (_, m) => ({
      collection: m === 0 ? 'clip' : '',
      points: Array.from({ length: 250 }, (_, i) => {
        const n = m * 250 + i;
        if (n === 7) return { ok: false as const, id: 'p7', reason: 'point.id is empty' };
        return { ok: true as const, point: pointInput(`p${n}`, n === 2600 ? Float32Array.of(1, 2, 3) : Float32Array.of(1, 0)) };
      }),
    }));
    const result = await service.upsertStream('default', chunks(messages));
    // A write happens after the message that brings the pending points to STREAM_CHUNK_POINTS (250 per message).
    const sizes = batches.map((b) => b.length);
    expect(sizes.slice(0, -1).every((n) => n >= STREAM_CHUNK_POINTS && n < STREAM_CHUNK_POINTS + 250)).to.equal(true);
    expect(sizes).to.deep.equal([2249, 2249, 500]);
    expect(result).to.deep.include({ inserted: 4998, updated: 0, rejectedCount: 2 });
    expect(result.rejected.map((r) => [r.index, r.id])).to.deep.equal([
      [7, 'p7'],
      [2600, 'p2600'],
    ]);
    expect(result.rejected[1]!.reason).to.equal('vector has 3 dimensions, collection "clip" expects 2');
  });

  it('counts every rejection but reports only the first MAX_REPORTED_REJECTIONS', async () => {
    const { collections, repository, batches } = recordingRepository();
    const service = new PointService(collections, repository, limits, { builds: { start: () => undefined } });
    const bad = Array.from({ length: MAX_REPORTED_REJECTIONS + 5 }, (_, i) => ({ ok: false as const, id: `p${i}`, reason: 'bad' }));
    const result = await service.upsertStream('default', chunks([{ collection: 'clip', points: bad }]));
    expect(result.rejectedCount).to.equal(MAX_REPORTED_REJECTIONS + 5);
    expect(result.rejected).to.have.length(MAX_REPORTED_REJECTIONS);
    expect(batches).to.deep.equal([]);
  });

  it('stops writing when the call is cancelled', async () => {
    const { collections, repository } = recordingRepository();
    const service = new PointService(collections, repository, limits, { builds: { start: () => undefined } });
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the client'));
    const points = Array.from({ length: STREAM_CHUNK_POINTS }, (_, i) => ({ ok: true as const, point: pointInput(`p${i}`) }));
    let error: unknown;
    await service.upsertStream('default', chunks([{ collection: 'clip', points }]), controller.signal).catch((err) => (error = err));
    expect((error as Error).message).to.equal('cancelled by the client');
  });

  it('keeps the last of repeated ids and counts the others as overwritten', () => {
    const { unique, overwritten } = lastWriteWins([pointInput('a', Float32Array.of(1, 0)), pointInput('b'), pointInput('a', Float32Array.of(0, 1))]);
    expect(unique.map((p) => [p.id, Array.from(p.vector)])).to.deep.equal([
      ['b', [1, 0]],
      ['a', [0, 1]],
    ]);
    expect(overwritten).to.equal(1);
  });
});

describe('embedding SQL text', () => {
  it('derives a safe table name from tenant and collection, and creates the indices with the right opclass', () => {
    expect(tableNameFor('default', 'clip')).to.match(/^emb_[0-9a-f]{24}$/);
    expect(tableNameFor('default', 'clip')).to.not.equal(tableNameFor('other', 'clip'));
    const statements = createTableStatements(collection.tableName, {
      ...collection,
      precision: 'float16',
      distance: 'inner_product',
      hnswM: 8,
      hnswEfConstruction: 64,
    });
    expect(statements.join('\n'))
      .to.include('embedding halfvec(2) not null')
      .and.include('set storage plain')
      .and.include('hnsw (embedding halfvec_ip_ops) with (m = 8, ef_construction = 64)')
      .and.include('gin (metadata jsonb_path_ops)');
  });

  it('turns a filter into parameterised conditions', () => {
    const params = new Params();
    const conditions = filterConditions({ contentIds: ['a'], createdAfter: new Date('2026-01-01T00:00:00Z'), metadataContains: { brand: 'acme' } }, params);
    expect(conditions).to.deep.equal(['content_id = any($1::text[])', 'created_at >= $2::timestamptz', 'metadata @> $3::jsonb']);
    expect(params.values).to.deep.equal([['a'], '2026-01-01T00:00:00.000Z', '{"brand":"acme"}']);
    expect(filterConditions({ contentIds: [], metadataContains: {} }, new Params())).to.deep.equal([]);
  });

  it('builds one search statement: query vector as a parameter, exclusion of the source point, grouping over candidates', () => {
    const query = { topK: 5, filter: { contentIds: [] }, exact: false, groupByContent: false, withVectors: false };
    const plain = searchStatement(collection, query, '[1,0]', undefined);
    expect(plain.sql).to.include('embedding <=> $1::vector(2) as distance').and.include('limit $2');
    expect(plain.params).to.deep.equal(['[1,0]', 5]);
    const similar = searchStatement(collection, { ...query, groupByContent: true }, '[1,0]', 'p1');
    expect(similar.sql).to.include('id <> $2').and.include('distinct on (content_id)');
    expect(similar.params).to.deep.equal(['[1,0]', 'p1', 100, 5]);
  });

  it('checks a cached collection in the search statement itself, returning a row even without hits', () => {
    const query = { topK: 5, filter: { contentIds: [] }, exact: false, groupByContent: false, withVectors: false };
    const checked = searchStatement(collection, query, '[1,0]', undefined, 'tenant-a');
    expect(checked.sql).to.include('left join found on true').and.include('as fresh');
    expect(checked.sql).to.include('tenant_id = $3 and name = $4 and table_name = $5 and dimension = $6');
    expect(checked.params.slice(2, 6)).to.deep.equal(['tenant-a', collection.name, collection.tableName, collection.dimension]);
  });

  it('sets ef_search to at least top_k, and iterative scans when filtering or grouping', () => {
    const settings = (query: { topK: number; efSearch: number; groupByContent: boolean }, filtered: boolean) =>
      Object.values(hnswSettings(collection, query, filtered));
    expect(settings({ topK: 10, efSearch: 0, groupByContent: false }, false)).to.deep.equal(['100', 'off', '20000']);
    expect(settings({ topK: 300, efSearch: 40, groupByContent: false }, true)).to.deep.equal(['300', 'relaxed_order', '200000']);
    expect(settings({ topK: 10, efSearch: 0, groupByContent: true }, false)[1]).to.equal('relaxed_order');
  });

  it('scores cosine as 1 − distance and the others as −distance', () => {
    expect(scoreFromDistance('cosine', 0.25)).to.equal(0.75);
    expect(scoreFromDistance('l2', 2)).to.equal(-2);
    expect(scoreFromDistance('inner_product', -6)).to.equal(6);
    expect(Object.is(scoreFromDistance('l2', 0), 0)).to.equal(true);
  });
});
