// Request validation of EmbeddingService: one block per request type, plain data in and out.
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import type { CollectionInfo } from '../../src/embedding/embedding.types.js';
import {
  validateCreateCollection,
  validateGetCollection,
  validateListCollections,
  type CollectionRequest,
} from '../../src/embedding/collections/collection.validate.js';
import {
  validateDeletePoints,
  validateGetPoints,
  validatePoint,
  validateScroll,
  validateUpdateMetadata,
  validateUpsert,
  validateUpsertStreamMessage,
  type PointRequest,
} from '../../src/embedding/points/point.validate.js';
import { validateSearch, validateSearchBatch, type SearchRequest } from '../../src/embedding/search/search.validate.js';
import { vectorMismatch } from '../../src/embedding/vectors/vector-fit.js';

const limits = loadConfig({}).limits;
const floats = (values: number[]) => ({ values, float32Le: new Uint8Array() });
const pointRequest = (overrides: Partial<PointRequest> = {}): PointRequest => ({
  id: 'a',
  contentId: 'c',
  vector: floats([1, 2, 3]),
  metadata: undefined,
  ...overrides,
});
const noFilter = { contentIds: [], createdAfter: undefined, createdBefore: undefined, metadataContains: undefined };

/** Runs `fn` and returns the AppError it throws. */
function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

describe('embedding validation: collections', () => {
  const request = (overrides: Partial<CollectionRequest> = {}): CollectionRequest => ({
    name: 'clip',
    embeddingType: 'visual_clip',
    dimension: 512,
    distance: 'unspecified',
    precision: 'unspecified',
    hnsw: undefined,
    description: '',
    ...overrides,
  });

  it('fills defaults: cosine, float32, m 16, ef_construction 128, ef_search 100', () => {
    expect(validateCreateCollection(request())).to.deep.equal({
      name: 'clip',
      embeddingType: 'visual_clip',
      dimension: 512,
      distance: 'cosine',
      precision: 'float32',
      hnswM: 16,
      hnswEfConstruction: 128,
      hnswEfSearch: 100,
      description: '',
      textFields: [],
      textLanguage: 'simple',
    });
    expect(validateCreateCollection(request({ hnsw: { m: 80, efConstruction: 0, efSearch: 0 } })).hnswEfConstruction).to.equal(160);
  });

  it('names the field and the fix for each bad value', () => {
    expect(appError(() => validateCreateCollection(undefined)).message).to.match(/collection is missing/);
    const bad = appError(() => validateCreateCollection(request({ name: '9lives' })));
    expect(bad).to.include({ kind: 'invalid_argument', field: 'collection.name' });
    expect(appError(() => validateCreateCollection(request({ embeddingType: 'unspecified' }))).message).to.match(
      /embedding_type must be one of visual_clip, text/,
    );
    expect(appError(() => validateCreateCollection(request({ distance: 'unrecognized' }))).message).to.match(
      /distance must be one of cosine, l2, inner_product/,
    );
    expect(appError(() => validateCreateCollection(request({ dimension: 3000 }))).message).to.match(
      /allows 1..2000 dimensions \(float16 precision allows up to 4000\)/,
    );
    expect(validateCreateCollection(request({ dimension: 3000, precision: 'float16' })).dimension).to.equal(3000);
    expect(appError(() => validateCreateCollection(request({ hnsw: { m: 1, efConstruction: 0, efSearch: 0 } }))).message).to.match(/hnsw.m is 1; use 2..100/);
    expect(appError(() => validateCreateCollection(request({ hnsw: { m: 0, efConstruction: 0, efSearch: 5000 } }))).message).to.match(/ef_search is 5000/);
    expect(appError(() => validateCreateCollection(request({ description: 'x'.repeat(1001) }))).message).to.match(/description has 1001 characters/);
  });

  it('checks names for Get and Delete, and the type filter of List', () => {
    expect(validateGetCollection({ name: 'a-b_c' })).to.equal('a-b_c');
    expect(appError(() => validateGetCollection({ name: 'x'.repeat(64) })).message).to.match(/is not a valid name/);
    expect(validateListCollections({ embeddingType: 'unspecified' })).to.equal(undefined);
    expect(validateListCollections({ embeddingType: 'audio' })).to.equal('audio');
  });
});

describe('embedding validation: points', () => {
  it('accepts a point with either vector form, and defaults metadata to {}', () => {
    const bytes = new Uint8Array(Float32Array.of(1, 2, 3).buffer);
    expect(validatePoint(pointRequest({ vector: { values: [], float32Le: bytes } }), 'p', limits).vector).to.deep.equal(Float32Array.of(1, 2, 3));
    expect(validatePoint(pointRequest(), 'p', limits).metadata).to.deep.equal({});
  });

  it('rejects bad ids, vectors and metadata naming the field', () => {
    expect(appError(() => validatePoint(pointRequest({ id: '' }), 'points[2]', limits))).to.include({ field: 'points[2].id' });
    expect(appError(() => validatePoint(pointRequest({ contentId: 'x'.repeat(257) }), 'p', limits)).message).to.match(
      /content_id has 257 characters; at most 256/,
    );
    expect(appError(() => validatePoint(pointRequest({ vector: undefined }), 'p', limits)).message).to.match(/p.vector is missing/);
    expect(appError(() => validatePoint(pointRequest({ vector: floats([1, Infinity]) }), 'p', limits)).message).to.match(/component 1 is Infinity/);
    expect(appError(() => validatePoint(pointRequest({ vector: floats([1e39]) }), 'p', limits)).message).to.match(/component 0 is Infinity/); // overflows float32
    expect(appError(() => validatePoint(pointRequest({ metadata: { x: 'y'.repeat(limits.maxMetadataBytes) } }), 'p', limits)).message).to.match(
      /LIMIT_MAX_METADATA_BYTES/,
    );
    // NaN and Infinity have no JSON form: they were stored as null without a word.
    const nan = appError(() => validatePoint(pointRequest({ metadata: { score: Number.NaN } }), 'points[1]', limits));
    expect(nan).to.include({ field: 'points[1].metadata' });
    expect(nan.message).to.match(/not finite .* at score/);
    expect(appError(() => validatePoint(pointRequest({ metadata: { l: [{ x: Number.POSITIVE_INFINITY }] } }), 'p', limits)).message).to.match(/at l\[0\]\.x/);
    expect(validatePoint(pointRequest({ metadata: { n: null } }), 'p', limits).metadata).to.deep.equal({ n: null });
  });

  it('checks a vector against its collection: dimension, zero under cosine, float16 range', () => {
    const collection = { name: 'clip', dimension: 3, distance: 'cosine', precision: 'float32' } as CollectionInfo;
    expect(vectorMismatch(Float32Array.of(1, 2, 3), collection)).to.equal(undefined);
    expect(vectorMismatch(Float32Array.of(1, 2), collection)).to.equal('vector has 2 dimensions, collection "clip" expects 3');
    expect(vectorMismatch(Float32Array.of(0, 0, 0), collection)).to.match(/all zeros/);
    expect(vectorMismatch(Float32Array.of(0, 0, 0), { ...collection, distance: 'l2' })).to.equal(undefined);
    expect(vectorMismatch(Float32Array.of(1, 70000, 3), { ...collection, precision: 'float16' })).to.match(
      /component 1 is 70000; float16 collection "clip" stores at most ±65504/,
    );
  });

  it('refuses degenerate vectors as the database would store and sum them: no direction, or distances that overflow', () => {
    const cosine = { name: 'clip', dimension: 3, distance: 'cosine', precision: 'float32' } as CollectionInfo;
    // float16 stores 1e-30 as 0: the vector would have no direction and never be found.
    expect(vectorMismatch(Float32Array.of(1e-30, 0, 1e-30), { ...cosine, precision: 'float16' })).to.match(/too close to zero .* as float16/);
    expect(vectorMismatch(Float32Array.of(1e-30, 0, 1e-30), cosine)).to.match(/too close to zero .* as float32/);
    expect(vectorMismatch(Float32Array.of(1e-45, 0, 0), cosine)).to.match(/too close to zero/);
    expect(vectorMismatch(Float32Array.of(1e-3, 0, 0), { ...cosine, precision: 'float16' })).to.equal(undefined);
    // Squared lengths past float32 give Infinity or NaN scores, under every distance.
    for (const distance of ['cosine', 'l2', 'inner_product'] as const) {
      expect(vectorMismatch(Float32Array.of(3.4e38, 1, 1), { ...cosine, distance }), distance).to.match(/too long/);
      expect(vectorMismatch(Float32Array.of(1e18, 1, 1), { ...cosine, distance }), distance).to.equal(undefined);
    }
    expect(vectorMismatch(Float32Array.of(60000, 60000, 60000), { ...cosine, precision: 'float16' })).to.equal(undefined);
  });

  it('validates an Upsert batch as a whole: empty, too big (RESOURCE_EXHAUSTED), a bad point names its index', () => {
    expect(validateUpsert({ collection: 'c', points: [pointRequest()] }, limits).points).to.have.length(1);
    expect(appError(() => validateUpsert({ collection: 'c', points: [] }, limits)).message).to.match(/points is empty/);
    const tooMany = Array.from({ length: limits.maxBatchSize + 1 }, () => pointRequest());
    expect(appError(() => validateUpsert({ collection: 'c', points: tooMany }, limits)).kind).to.equal('resource_exhausted');
    expect(appError(() => validateUpsert({ collection: 'c', points: [pointRequest(), pointRequest({ id: '' })] }, limits)).field).to.equal('points[1].id');
  });

  it('keeps valid points of a stream message and gives each invalid one its reason', () => {
    const chunk = validateUpsertStreamMessage({ collection: '', points: [pointRequest(), pointRequest({ id: 'b', vector: floats([NaN]) })] }, limits);
    expect(chunk.collection).to.equal('');
    expect(chunk.points[0]!.ok).to.equal(true);
    expect(chunk.points[1]).to.deep.include({ ok: false, id: 'b' });
    expect((chunk.points[1] as { reason: string }).reason).to.match(/point.vector component 0 is NaN/);
  });

  it('validates GetPoints, DeletePoints, UpdateMetadata and Scroll', () => {
    expect(validateGetPoints({ collection: 'c', ids: ['a'], withVectors: true }, limits)).to.deep.equal({ collection: 'c', ids: ['a'], withVectors: true });
    expect(validateDeletePoints({ collection: 'c', ids: ['a'], filter: undefined }, limits)).to.deep.equal({ collection: 'c', ids: ['a'] });
    expect(validateDeletePoints({ collection: 'c', ids: [], filter: { ...noFilter, contentIds: ['x'] } }, limits)).to.have.property('filter');
    expect(appError(() => validateDeletePoints({ collection: 'c', ids: [], filter: { ...noFilter, metadataContains: {} } }, limits)).message).to.match(
      /non-empty filter/,
    );
    expect(validateUpdateMetadata({ collection: 'c', ids: ['a'], metadata: { x: 1 }, mode: 'unspecified' }, limits).mode).to.equal('merge');
    expect(validateUpdateMetadata({ collection: 'c', ids: ['a'], metadata: undefined, mode: 'replace' }, limits)).to.deep.include({
      mode: 'replace',
      metadata: {},
    });
    expect(validateScroll({ collection: 'c', filter: undefined, pageSize: 0, pageToken: '', withVectors: false }, limits)).to.deep.include({
      pageSize: 100,
      afterId: undefined,
    });
    const after = new Date('2026-01-02T00:00:00Z');
    const before = new Date('2026-01-01T00:00:00Z');
    expect(
      appError(() =>
        validateScroll(
          { collection: 'c', filter: { ...noFilter, createdAfter: after, createdBefore: before }, pageSize: 1, pageToken: '', withVectors: false },
          limits,
        ),
      ).message,
    ).to.match(/created_after must be before filter.created_before/);
  });
});

describe('embedding validation: search', () => {
  const request = (overrides: Partial<SearchRequest> = {}): SearchRequest => ({
    collection: 'c',
    vector: floats([1, 0]),
    pointId: '',
    topK: 10,
    filter: undefined,
    efSearch: 0,
    exact: false,
    groupByContent: false,
    withVectors: false,
    ...overrides,
  });

  it('accepts a vector or a point id, with an empty filter by default', () => {
    expect(validateSearch(request(), limits)).to.deep.include({ topK: 10, pointId: undefined, filter: { contentIds: [] } });
    expect(validateSearch(request({ vector: undefined, pointId: 'p1' }), limits)).to.deep.include({ pointId: 'p1', vector: undefined });
  });

  it('rejects top_k out of 1..1000, both or neither query, and ef_search over 1000; top_k over the tenant limit is RESOURCE_EXHAUSTED', () => {
    expect(appError(() => validateSearch(request({ topK: 0 }), limits)).message).to.equal('top_k is 0; use 1..1000');
    expect(appError(() => validateSearch(request({ topK: 1001 }), limits)).kind).to.equal('invalid_argument');
    expect(appError(() => validateSearch(request({ topK: 50 }), { ...limits, maxTopK: 20 })).kind).to.equal('resource_exhausted');
    expect(appError(() => validateSearch(request({ pointId: 'p' }), limits)).message).to.match(/set exactly one of vector and point_id/);
    expect(appError(() => validateSearch(request({ vector: undefined }), limits)).message).to.match(/set exactly one/);
    expect(appError(() => validateSearch(request({ efSearch: 1001 }), limits)).message).to.match(/ef_search is 1001/);
  });

  it('prefixes batch errors with the search index and caps the batch at 100', () => {
    expect(validateSearchBatch({ searches: [request(), request()] }, limits)).to.have.length(2);
    expect(appError(() => validateSearchBatch({ searches: [request(), request({ topK: 0 })] }, limits)).message).to.match(/^searches\[1\]\.top_k is 0/);
    expect(appError(() => validateSearchBatch({ searches: Array.from({ length: 101 }, () => request()) }, limits)).message).to.match(/at most 100/);
    expect(appError(() => validateSearchBatch({ searches: [] }, limits)).message).to.match(/searches is empty/);
  });
});
