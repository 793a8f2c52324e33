// Recommend without a database: request validation, example resolution, the average vector, the best-score SQL.
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import type { RecommendQuery } from '../../src/embedding/embedding.types.js';
import { averageVector, exampleVectors } from '../../src/embedding/search/recommend.js';
import { bestScoreStatement, recommendCandidateCount } from '../../src/embedding/search/recommend.sql.js';
import { type RecommendRequest, validateRecommend } from '../../src/embedding/search/recommend.validate.js';
import { clipCollection, rejection } from './collection-fixture.js';

const collection = clipCollection;
const limits = loadConfig({}).limits;
const vector = (values: number[]) => ({ values, float32Le: new Uint8Array() });

function request(overrides: Partial<RecommendRequest>): RecommendRequest {
  return {
    collection: 'clip',
    positiveIds: ['a'],
    negativeIds: [],
    positiveVectors: [],
    negativeVectors: [],
    strategy: 'unspecified',
    topK: 10,
    filter: undefined,
    efSearch: 0,
    exact: false,
    groupByContent: false,
    withVectors: false,
    ...overrides,
  };
}

describe('embedding recommend: validation', () => {
  it('defaults to the average vector, removes repeated ids and decodes vectors', () => {
    const query = validateRecommend(request({ positiveIds: ['a', 'a'], negativeVectors: [vector([1, 2])] }), limits);
    expect(query).to.deep.include({ strategy: 'average_vector', positiveIds: ['a'], negativeIds: [], topK: 10 });
    expect(Array.from(query.negativeVectors[0]!)).to.deep.equal([1, 2]);
    expect(validateRecommend(request({ strategy: 'best_score' }), limits).strategy).to.equal('best_score');
  });

  it('rejects no positives, over 100 examples, an id in both lists, bad ids and vectors, naming the field', () => {
    expect(rejection(() => validateRecommend(request({ positiveIds: [], negativeIds: ['b'] }), limits))).to.include({ field: 'positive_ids' });
    const many = Array.from({ length: 100 }, (_, i) => `n${i}`);
    expect(rejection(() => validateRecommend(request({ negativeIds: many }), limits)).message).to.match(/has 101 examples; at most 100/);
    expect(rejection(() => validateRecommend(request({ negativeIds: ['a'] }), limits)).message).to.match(/"a" is both a positive and a negative/);
    expect(rejection(() => validateRecommend(request({ positiveIds: [''] }), limits))).to.include({ field: 'positive_ids[0]' });
    expect(rejection(() => validateRecommend(request({ positiveVectors: [vector([Number.NaN])] }), limits))).to.include({ field: 'positive_vectors[0]' });
    expect(rejection(() => validateRecommend(request({ strategy: 'unrecognized' }), limits))).to.include({ field: 'strategy' });
  });
});

describe('embedding recommend: examples and the average vector', () => {
  const query = (overrides: Partial<RecommendQuery>): RecommendQuery => ({ ...validateRecommend(request({}), limits), ...overrides });

  it('resolves ids to stored vectors before the given vectors, and names every unknown id', () => {
    const stored = new Map([['a', Float32Array.of(1, 0)]]);
    const examples = exampleVectors(query({ positiveVectors: [Float32Array.of(0, 1)] }), stored, collection);
    expect(examples.positive.map((v) => Array.from(v))).to.deep.equal([
      [1, 0],
      [0, 1],
    ]);
    const missing = rejection(() => exampleVectors(query({ positiveIds: ['a', 'x'], negativeIds: ['y'] }), stored, collection));
    expect(missing.message).to.equal('positive_ids name points not in collection "clip": "x"; upsert them first, or send their vectors in positive_vectors');
    const misfit = rejection(() => exampleVectors(query({ negativeVectors: [Float32Array.of(0, 0)] }), stored, collection));
    expect(misfit).to.include({ field: 'negative_vectors[0]' });
  });

  it('is 2 · mean(positives) − mean(negatives), each example scaled to length 1 under cosine only', () => {
    const examples = { positive: [Float32Array.of(2, 0), Float32Array.of(0, 4)], negative: [Float32Array.of(0, 10)] };
    expect(Array.from(averageVector(examples, 'cosine'))).to.deep.equal([1, 0]); // 2 · (0.5, 0.5) − (0, 1)
    expect(Array.from(averageVector(examples, 'l2'))).to.deep.equal([2, -6]); // 2 · (1, 2) − (0, 10)
    expect(Array.from(averageVector({ positive: examples.positive, negative: [] }, 'inner_product'))).to.deep.equal([1, 2]);
    const cancelled = rejection(() => averageVector({ positive: [Float32Array.of(1, 0), Float32Array.of(-3, 0)], negative: [] }, 'cosine'));
    expect(cancelled.message).to.match(/cancel out/);
  });
});

describe('embedding recommend: best-score SQL', () => {
  const search = { topK: 5, filter: { contentIds: ['c1'] }, efSearch: 0, exact: false, groupByContent: false, withVectors: false, excludeIds: ['a', 'b'] };

  it('unions one index scan per positive, excludes the examples and scores every candidate against all examples', () => {
    const { sql, params } = bestScoreStatement(collection, search, ['[1,0]', '[0,1]'], ['[1,1]']);
    expect(sql)
      .to.include('order by embedding <=> $1::vector(2) limit $6) union (select id')
      .and.include('order by embedding <=> $2::vector(2) limit $6')
      .and.include('id <> all($5::text[])')
      .and.include('least(embedding <=> $1::vector(2), embedding <=> $2::vector(2)) as distance')
      .and.include('least(embedding <=> $3::vector(2)) as negative_distance')
      .and.include('order by score desc, id limit $7');
    expect(params).to.deep.equal(['[1,0]', '[0,1]', '[1,1]', ['c1'], ['a', 'b'], 20, 5]);
  });

  it('scans every matching point when exact, has no negative term without negatives, and groups by content', () => {
    const { sql } = bestScoreStatement(collection, { ...search, exact: true, groupByContent: true }, ['[1,0]'], []);
    expect(sql).to.include('null::float8 as negative_distance').and.include('distinct on (content_id)').and.not.include('union');
    expect(recommendCandidateCount(5, false)).to.equal(20);
    expect(recommendCandidateCount(300, false)).to.equal(600);
    expect(recommendCandidateCount(5, true)).to.equal(100);
  });
});
