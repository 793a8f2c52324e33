// SearchContent's pure parts: RRF and weighted fusion worked out by hand, exclusion of example contents, evidence,
// ties; the re-scored fusion over the union (what is left to score and its statement, floors of missing contents);
// validation of sub-queries, weights, candidates and counts.
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { fuseRankings, normalisedScores } from '../../src/embedding/content-search/rank-fusion.js';
import { fuseRescored, rescoreWork, scoreColumn, unionOfCandidates } from '../../src/embedding/content-search/rescore-fusion.js';
import { rescoreStatements } from '../../src/embedding/content-search/content-search.sql.js';
import type { ContentCandidate, RescoredColumn, SubQueryRanking } from '../../src/embedding/content-search/content-search.types.js';
import { validateSearchContent, type ContentSubQueryRequest, type SearchContentRequest } from '../../src/embedding/content-search/content-search.validate.js';
import { agreementQuery, agreementWorld, exactScores, recallAt, topOf } from '../helpers/agreement-world.js';
import { clipCollection, rejection } from './collection-fixture.js';

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

describe('SearchContent fusion of the re-scored union', () => {
  const column = (floor: RescoredColumn['floor'], ...pairs: [string, number][]): RescoredColumn => ({
    scores: new Map(pairs.map(([contentId, score]) => [contentId, { pointId: `${contentId}-p`, score }])),
    floor,
  });
  // Union a, b, c. Vector sub-query 1 scores all three; vector sub-query 2 has no point of b; the keyword matches c only.
  const union = ['a', 'b', 'c'];
  const columns = [column('lowest', ['a', 0.9], ['b', 0.5], ['c', 0.7]), column('lowest', ['a', 0.2], ['c', 0.8]), column(0, ['c', 2])];

  it('collects each content once, first found first, leaving the examples out', () => {
    const rankings: SubQueryRanking[] = [{ ...ranking(['b', 0.9], ['x', 0.8], ['a', 0.7]), exampleContentId: 'y' }, ranking(['y', 1], ['c', 0.5], ['b', 0.4])];
    expect(unionOfCandidates(rankings)).to.deep.equal(['b', 'x', 'a', 'c']);
    expect(unionOfCandidates([ranking(), ranking()])).to.deep.equal([]);
  });

  it('leaves to score only what a sub-query did not return; what it returned keeps its point and score', () => {
    // Union b, x, a, c (y is the first sub-query's example). The second returned c twice (first kept) and y.
    const rankings: SubQueryRanking[] = [
      { ...ranking(['b', 0.9], ['x', 0.8], ['a', 0.7]), exampleContentId: 'y' },
      { candidates: [...ranking(['y', 1], ['c', 0.5], ['b', 0.4]).candidates, { contentId: 'c', pointId: 'c-q', score: 0.1 }] },
    ];
    const work = rescoreWork(rankings, unionOfCandidates(rankings));
    expect(work.map((w) => w.toScore)).to.deep.equal([['c'], ['x', 'a']]);
    expect(work.map((w) => [...w.found])).to.deep.equal([
      [
        ['b', { pointId: 'b-p', score: 0.9 }],
        ['x', { pointId: 'x-p', score: 0.8 }],
        ['a', { pointId: 'a-p', score: 0.7 }],
      ],
      [
        ['c', { pointId: 'c-p', score: 0.5 }],
        ['b', { pointId: 'b-p', score: 0.4 }],
      ],
    ]);
    // One sub-query alone, or sub-queries that all found the same contents: nothing left to score.
    expect(rescoreWork([ranking(['a', 1], ['b', 0.5])], ['a', 'b']).map((w) => w.toScore)).to.deep.equal([[]]);
  });

  it('scores in SQL only the contents left: a branch per sub-query with some, shared out over the statements asked for', () => {
    const filter = { contentIds: [] };
    const vectors = [
      { collection: clipCollection, vector: '[1,0]', filter },
      { collection: { ...clipCollection, distance: 'l2' as const }, vector: '[0,1]', filter },
    ];
    const keyword = { collection: clipCollection, keyword: { collection: 'clip', text: 'summer', weight: 1, filter, candidates: 10 } };
    // One statement (PGlite): both branches with something left, folded into arrays per sub-query.
    const [one, ...more] = rescoreStatements(vectors, keyword, [['c'], [], ['a', 'b']], { statements: 1, arrays: true });
    expect(more).to.have.length(0);
    expect(one!.sql).to.include('select 0::int as sub').and.include('select 2::int as sub').and.not.include('select 1::int as sub');
    expect(one!.sql).to.include('embedding <=> $1::vector(2)').and.include('unnest($2::text[])').and.include('group by sub').and.not.include('<->');
    expect(one!.params).to.deep.equal(['[1,0]', ['c'], 'simple', 'summer', ['a', 'b']]);
    // Side by side (Postgres): at most as many statements as asked for, each with its own parameters, rows as they are.
    const apart = rescoreStatements(vectors, keyword, [['c'], ['d'], ['a', 'b']], { statements: 2, arrays: false });
    expect(apart.map((s) => s.params)).to.deep.equal([
      ['[1,0]', ['c'], 'simple', 'summer', ['a', 'b']],
      ['[0,1]', ['d']],
    ]);
    expect(apart[1]!.sql).to.include('select 1::int as sub').and.include('embedding <-> $1::vector(2)').and.not.include('group by');
    expect(rescoreStatements(vectors, keyword, [['c'], ['d'], []], { statements: 5, arrays: false })).to.have.length(2);
    expect(rescoreStatements(vectors, keyword, [[], [], []], { statements: 1, arrays: true })).to.deep.equal([]);
  });

  it('sums weight × score normalised over the union, a missing content at the floor (weighted)', () => {
    // 1: a 1, b 0, c 0.5. 2: floor 0.2 (lowest found) → a 0, b 0, c 1. Keyword: floor 0 → c 1, a and b 0.
    const hits = fuseRescored(union, columns, [1, 1, 1], { fusion: 'weighted', rrfK: 60, topK: 10 });
    expect(hits.map((h) => h.contentId)).to.deep.equal(['c', 'a', 'b']);
    [2.5 / 3, 1 / 3, 0].forEach((expected, i) => {
      expect(hits[i]!.score).to.be.closeTo(expected, 1e-12);
    });
    expect(hits[2]!.evidence).to.deep.equal([
      { pointId: 'b-p', score: 0.5, rank: 3 },
      { pointId: '', score: 0, rank: 0 },
      { pointId: '', score: 0, rank: 0 },
    ]);
    expect(fuseRescored(union, columns, [1, 0, 0], { fusion: 'weighted', rrfK: 60, topK: 1 }).map((h) => h.contentId)).to.deep.equal(['a']);
  });

  it('sums weight / (k + rank in the union), a missing content ranked after the last found (RRF)', () => {
    const hits = fuseRescored(union, columns, [1, 1, 1], { fusion: 'rrf', rrfK: 60, topK: 10 });
    expect(hits.map((h) => h.contentId)).to.deep.equal(['c', 'a', 'b']);
    expect(hits[0]!.score).to.be.closeTo(1 / 62 + 1 / 61 + 1 / 61, 1e-15);
    expect(hits[1]!.score).to.be.closeTo(1 / 61 + 1 / 62 + 1 / 62, 1e-15);
    expect(hits[2]!.score).to.be.closeTo(1 / 63 + 1 / 63 + 1 / 62, 1e-15);
    expect(hits[0]!.evidence.map((e) => e.rank)).to.deep.equal([2, 1, 1]);
  });

  it('never lifts a missing content above a found one: negative scores, ties, nothing found', () => {
    // Cosine similarities below 0: a missing content is at the lowest found (−0.5), not at 0 above them all.
    expect(scoreColumn(union, column('lowest', ['a', -0.2], ['b', -0.5])).normalised).to.deep.equal([1, 0, 0]);
    // Equal scores: the found contents 1, the missing one 0; nothing found: 0 for all, rank 1 shared.
    expect(scoreColumn(union, column('lowest', ['a', 0.3], ['c', 0.3])).normalised).to.deep.equal([1, 0, 1]);
    expect(scoreColumn(union, column('lowest', ['a', 0.3], ['c', 0.3])).rrfRank).to.deep.equal([1, 3, 2]);
    const none = scoreColumn(union, column('lowest'));
    expect([none.normalised, none.rrfRank]).to.deep.equal([
      [0, 0, 0],
      [1, 1, 1],
    ]);
    // The keyword's floor is 0 (no match): matching contents are scaled from it, not from the weakest match.
    expect(scoreColumn(union, column(0, ['a', 0.1], ['c', 0.2])).normalised).to.deep.equal([0.5, 0, 1]);
    expect(fuseRescored([], [column('lowest')], [1], { fusion: 'weighted', rrfK: 60, topK: 10 })).to.deep.equal([]);
  });

  it('finds what both modalities agree on in the issue-30 world, seed after seed, where RRF of the candidates does not', () => {
    // Each sub-query's 100 candidates exactly, as the database ranks them; the union re-scored from the same scores.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const pooledRrf: number[] = [];
    const pooledRescored: number[] = [];
    for (const seed of [41, 42, 43, 44]) {
      const world = agreementWorld(seed);
      const rescored: number[] = [];
      for (let q = 0; q < 10; q++) {
        const query = agreementQuery(world, seed * 100 + q);
        const scores = exactScores(world, query);
        const rankings = [scores.visual, scores.audio].map((s) => ranking(...topOf(s, 100).map((id): [string, number] => [id, s.get(id)!])));
        const union = unionOfCandidates(rankings);
        const columns = [scores.visual, scores.audio].map((s) => column('lowest', ...union.map((id): [string, number] => [id, s.get(id)!])));
        const found = (hits: { contentId: string }[]) =>
          recallAt(
            hits.map((h) => h.contentId),
            query.relevant,
            10,
          );
        rescored.push(found(fuseRescored(union, columns, [1, 1], { fusion: 'weighted', rrfK: 60, topK: 10 })));
        pooledRrf.push(found(fuseRankings(rankings, [1, 1], { fusion: 'rrf', rrfK: 60, topK: 10 })));
      }
      expect(mean(rescored), `seed ${seed}`).to.be.at.least(0.95);
      pooledRescored.push(...rescored);
    }
    // RRF varies from query to query (some it gets right), so it is compared over all 40.
    expect(mean(pooledRrf)).to.be.below(mean(pooledRescored) - 0.1);
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
    rescore: false,
    ...overrides,
  });

  it('fills defaults: RRF with k 60, weight 1, candidates min(10 × top_k, the top_k limit)', () => {
    const query = validateSearchContent(request(), limits);
    expect([query.fusion, query.rrfK, query.subQueries[0]!.weight, query.subQueries[0]!.candidates, query.rescore]).to.deep.equal(['rrf', 60, 1, 100, false]);
    // With rescore an unset fusion is weighted; RRF when asked for.
    expect(validateSearchContent(request({ rescore: true }), limits)).to.include({ rescore: true, fusion: 'weighted' });
    expect(validateSearchContent(request({ rescore: true, fusion: 'rrf' }), limits)).to.include({ rescore: true, fusion: 'rrf' });
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
