// SearchContent's pure parts: RRF and weighted fusion worked out by hand, exclusion of example contents, evidence,
// ties; validation of sub-queries, weights, candidates and counts.
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { fuseRankings, normalisedScores } from '../../src/embedding/content-search.js';
import type { ContentCandidate, SubQueryRanking } from '../../src/embedding/content-search.types.js';
import { validateSearchContent, type ContentSubQueryRequest, type SearchContentRequest } from '../../src/embedding/content-search.validate.js';
import { rejection } from './collection-fixture.js';

const ranking = (...pairs: [string, number][]): SubQueryRanking => ({
  candidates: pairs.map(([contentId, score]): ContentCandidate => ({ contentId, pointId: `${contentId}-p`, score })),
});

describe('SearchContent fusion', () => {
  // Sub-query 1 ranks a, b, c; sub-query 2 ranks c, a (b missing).
  const rankings = [ranking(['a', 0.9], ['b', 0.8], ['c', 0.5]), ranking(['c', 3], ['a', 1])];

  it('sums weight / (k + rank) over the sub-queries that found a content (RRF)', () => {
    const hits = fuseRankings(rankings, [1, 1], { fusion: 'rrf', rrfK: 60, topK: 10 });
    expect(hits.map((h) => h.contentId)).to.deep.equal(['a', 'c', 'b']);
    expect(hits[0]!.score).to.be.closeTo(1 / 61 + 1 / 62, 1e-15);
    expect(hits[1]!.score).to.be.closeTo(1 / 63 + 1 / 61, 1e-15);
    expect(hits[2]!.score).to.be.closeTo(1 / 62, 1e-15);
    expect(hits[2]!.evidence).to.deep.equal([
      { pointId: 'b-p', score: 0.8, rank: 2 },
      { pointId: '', score: 0, rank: 0 },
    ]);
    // Weight 0 on the first sub-query: only the second ranks; b is kept (found) with score 0, last.
    const second = fuseRankings(rankings, [0, 2], { fusion: 'rrf', rrfK: 1, topK: 10 });
    expect(second.map((h) => [h.contentId, h.score])).to.deep.equal([
      ['c', 1],
      ['a', 2 / 3],
      ['b', 0],
    ]);
  });

  it('averages min-max normalised scores by weight (weighted), missing counting 0', () => {
    const hits = fuseRankings(rankings, [1, 3], { fusion: 'weighted', rrfK: 60, topK: 2 });
    // Sub-query 1: a 1, b 0.75, c 0; sub-query 2: c 1, a 0.
    expect(hits.map((h) => h.contentId)).to.deep.equal(['c', 'a']);
    expect(hits[0]!.score).to.be.closeTo((1 * 0 + 3 * 1) / 4, 1e-12);
    expect(hits[1]!.score).to.be.closeTo((1 * 1 + 3 * 0) / 4, 1e-12);
    expect(normalisedScores(ranking(['x', 2], ['y', 2]).candidates)).to.deep.equal([1, 1]);
    expect(normalisedScores([])).to.deep.equal([]);
  });

  it('leaves the example contents out of every ranking before counting ranks, and breaks ties by content id', () => {
    const withExample: SubQueryRanking[] = [{ ...ranking(['b', 0.9], ['a', 0.8]), exampleContentId: 'x' }, ranking(['x', 1], ['b', 0.5])];
    const hits = fuseRankings(withExample, [1, 1], { fusion: 'rrf', rrfK: 60, topK: 10 });
    expect(hits.map((h) => h.contentId)).to.deep.equal(['b', 'a']);
    expect(hits[0]!.evidence.map((e) => e.rank)).to.deep.equal([1, 1]);
    const tied = fuseRankings([ranking(['d', 1]), ranking(['c', 1])], [1, 1], { fusion: 'rrf', rrfK: 60, topK: 10 });
    expect(tied.map((h) => h.contentId)).to.deep.equal(['c', 'd']);
  });
});

describe('SearchContent validation', () => {
  const limits = loadConfig({}).limits;
  const subQuery = (overrides: Partial<ContentSubQueryRequest> = {}): ContentSubQueryRequest => ({
    collection: 'clip',
    vector: { values: [1, 0], float32Le: new Uint8Array() },
    pointId: '',
    contentId: '',
    weight: undefined,
    filter: undefined,
    candidates: 0,
    efSearch: 0,
    ...overrides,
  });
  const request = (overrides: Partial<SearchContentRequest> = {}): SearchContentRequest => ({
    subQueries: [subQuery()],
    keyword: undefined,
    fusion: 'unspecified',
    rrfK: 0,
    topK: 10,
    exact: false,
    ...overrides,
  });

  it('fills defaults: RRF with k 60, weight 1, candidates min(10 × top_k, the top_k limit)', () => {
    const query = validateSearchContent(request(), limits);
    expect([query.fusion, query.rrfK, query.subQueries[0]!.weight, query.subQueries[0]!.candidates]).to.deep.equal(['rrf', 60, 1, 100]);
    expect(validateSearchContent(request({ topK: 500 }), limits).subQueries[0]!.candidates).to.equal(1000);
    expect(validateSearchContent(request({ subQueries: [subQuery({ contentId: 'v17', vector: undefined })] }), limits).subQueries[0]!.target).to.deep.equal({
      contentId: 'v17',
    });
  });

  it('names the field of each bad value', () => {
    const field = (r: SearchContentRequest) => rejection(() => validateSearchContent(r, limits)).field;
    expect(field(request({ subQueries: [] }))).to.equal('sub_queries');
    expect(field(request({ subQueries: Array.from({ length: 11 }, () => subQuery()) }))).to.equal('sub_queries');
    expect(field(request({ subQueries: [subQuery({ weight: 0 })] }))).to.equal('sub_queries');
    expect(field(request({ subQueries: [subQuery(), subQuery({ weight: Number.NaN })] }))).to.equal('sub_queries[1].weight');
    expect(field(request({ subQueries: [subQuery({ candidates: 1001 })] }))).to.equal('sub_queries[0].candidates');
    expect(field(request({ subQueries: [subQuery({ pointId: 'p' })] }))).to.equal('sub_queries[0].vector');
    expect(field(request({ subQueries: [subQuery({ collection: 'Bad Name' })] }))).to.equal('sub_queries[0].collection');
    expect(field(request({ rrfK: 100_001 }))).to.equal('rrf_k');
    expect(field(request({ fusion: 'dbsf' }))).to.equal('fusion');
    const keyword = { collection: 'txt', query: 'x'.repeat(1001), weight: undefined, filter: undefined, candidates: 0 };
    expect(field(request({ subQueries: [], keyword }))).to.equal('keyword.query');
    expect(validateSearchContent(request({ subQueries: [], keyword: { ...keyword, query: ' summer tour ' } }), limits).keyword!.text).to.equal('summer tour');
  });
});
