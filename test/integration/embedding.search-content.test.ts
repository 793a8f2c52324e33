// EmbeddingService SearchContent over gRPC: fusion order (RRF, weights, weighted scores) on a small set checked by
// hand, content-level grouping, examples by point and by content, keyword search (GIN tsvector), and bad input.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Fusion, SearchContentRequest, type ContentSubQuery, type SearchContentResponse } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { createCollection, floats, point, searchRequest, sharedServer, stopAndClean } from '../helpers/embedding.js';

// Visual (query [1,0,0]) and audio (query [0,1,0]) vectors of five contents; A has 30 frames, its first the nearest.
// Cosine similarities: visual A 1, B 0.981, E 0.894, C 0.707, D 0; audio C 1, E 0.958, D 0.707, B 0.0995, A 0.
const VISUAL: Record<string, number[]> = { B: [1, 0.2, 0], C: [1, 1, 0], D: [0, 0, 1], E: [1, 0.5, 0] };
const AUDIO: Record<string, number[]> = { A: [0, 0, 1], B: [1, 0.1, 0], C: [0, 1, 0], D: [1, 1, 0], E: [0.3, 1, 0] };
const CAPTIONS: Record<string, Record<string, unknown>> = {
  A: { caption: 'summer tour in Madrid', hashtags: ['music', 'live'] },
  B: { caption: 'winter tour' },
  C: { caption: 'summer tour recap, then the summer tour again' },
  D: { caption: 'cooking show', hashtags: ['summer'] },
  E: { views: 10 },
};
const Q_VISUAL = floats([1, 0, 0]);
const Q_AUDIO = floats([0, 1, 0]);

const ids = (response: SearchContentResponse) => response.hits.map((h) => h.contentId);
const rrf = (...ranks: number[]) => ranks.reduce((sum, rank) => sum + 1 / (60 + rank), 0);

describe(`embedding SearchContent (${BACKEND})`, () => {
  let server: TestServer;
  let visual: string;
  let audio: string;
  let text: string;
  const sub = (collection: string, fields: Partial<ContentSubQuery>): ContentSubQuery => ({
    ...SearchContentRequest.fromPartial({ subQueries: [{ collection }] }).subQueries[0]!,
    ...fields,
  });
  const search = (fields: Partial<SearchContentRequest>) =>
    call(server.embedding, server.embedding.searchContent, { ...SearchContentRequest.fromPartial({ topK: 5 }), ...fields });
  const visualAndAudio = (fields: Partial<SearchContentRequest> = {}) =>
    search({ subQueries: [sub(visual, { vector: Q_VISUAL }), sub(audio, { vector: Q_AUDIO })], ...fields });

  before(async () => {
    server = await sharedServer();
    const e = server.embedding;
    visual = await createCollection(e, { name: uniq('vis') });
    audio = await createCollection(e, { name: uniq('aud') });
    text = await createCollection(e, { name: uniq('txt'), dimension: 2, textFields: ['caption', 'hashtags'] });
    // 30 frames of A: the first exactly on the query, the others drifting away from it.
    const frames = Array.from({ length: 30 }, (_, j) => point(`a-f${j}`, floats([1, 0, 0.01 * j]), 'A'));
    const others = Object.entries(VISUAL).map(([content, v]) => point(`v-${content}`, floats(v), content));
    await call(e, e.upsert, { collection: visual, points: [...frames, ...others] });
    await call(e, e.upsert, { collection: audio, points: Object.entries(AUDIO).map(([content, v]) => point(`a-${content}`, floats(v), content)) });
    const texts = Object.entries(CAPTIONS).map(([content, metadata]) => point(`t-${content}`, floats([1, content.charCodeAt(0) / 100]), content, metadata));
    await call(e, e.upsert, { collection: text, points: texts });
  });

  it('fuses by reciprocal rank (k 60): each content counts once, ranked by its best point, with evidence per sub-query', async () => {
    const answer = await visualAndAudio();
    // visual ranks A1 B2 E3 C4 D5; audio ranks C1 E2 D3 B4 A5.
    expect(ids(answer)).to.deep.equal(['C', 'E', 'A', 'B', 'D']);
    const expected = [rrf(4, 1), rrf(3, 2), rrf(1, 5), rrf(2, 4), rrf(5, 3)];
    answer.hits.forEach((hit, i) => {
      expect(hit.score).to.be.closeTo(expected[i]!, 1e-12);
    });
    const a = answer.hits.find((h) => h.contentId === 'A')!;
    expect(a.evidence.map((e) => [e.pointId, e.rank])).to.deep.equal([
      ['a-f0', 1],
      ['a-A', 5],
    ]);
    expect(a.evidence[0]!.score).to.be.closeTo(1, 1e-6);
    // A plain Search's top 10 is A's frames alone; SearchContent's candidates are contents.
    const plain = await call(server.embedding, server.embedding.search, searchRequest(visual, { vector: Q_VISUAL }));
    expect(new Set(plain.hits.map((h) => h.point!.contentId))).to.deep.equal(new Set(['A']));
  });

  it('weights sub-queries, takes rrf_k, and fuses weighted normalised scores differently', async () => {
    const weighted = await visualAndAudio({ subQueries: [sub(visual, { vector: Q_VISUAL, weight: 3 }), sub(audio, { vector: Q_AUDIO })] });
    expect(ids(weighted)).to.deep.equal(['A', 'B', 'E', 'C', 'D']);
    const flatK = await visualAndAudio({ rrfK: 1 });
    expect(flatK.hits[0]!.score).to.be.closeTo(1 / 2 + 1 / 5, 1e-9); // C: ranks 4 and 1 with k = 1
    // Weighted: visual and audio scores each scaled to 0..1 (min 0, max 1 here), then averaged.
    const scores = await visualAndAudio({ fusion: Fusion.FUSION_WEIGHTED });
    expect(ids(scores)).to.deep.equal(['E', 'C', 'B', 'A', 'D']);
    const e = scores.hits[0]!;
    expect(e.score).to.be.closeTo((1 / Math.sqrt(1.25) + 1 / Math.sqrt(1.09)) / 2, 1e-5);
  });

  it('limits each sub-query to its candidates: a content outside them has no evidence from it', async () => {
    const answer = await visualAndAudio({
      subQueries: [sub(visual, { vector: Q_VISUAL, candidates: 2 }), sub(audio, { vector: Q_AUDIO, candidates: 2 })],
    });
    expect(ids(answer)).to.deep.equal(['A', 'C', 'B', 'E']);
    expect(answer.hits[0]!.evidence[1]).to.deep.equal({ pointId: '', score: 0, rank: 0 });
  });

  it('with rescore, scores every content of the union in every sub-query before fusing (weighted unless asked)', async () => {
    const narrow = { subQueries: [sub(visual, { vector: Q_VISUAL, candidates: 2 }), sub(audio, { vector: Q_AUDIO, candidates: 2 })] };
    // Union A, B (visual) and C, E (audio). Visual scaled over it: A 1, B 0.935, E 0.638, C 0; audio: C 1, E 0.958, B 0.0995, A 0.
    const answer = await visualAndAudio({ ...narrow, rescore: true });
    expect(ids(answer)).to.deep.equal(['E', 'B', 'A', 'C']);
    expect(answer.hits[0]!.score).to.be.closeTo((0.894427 - Math.SQRT1_2) / (1 - Math.SQRT1_2) / 2 + 0.957826 / 2, 1e-5);
    expect(answer.hits[0]!.evidence.map((e) => [e.pointId, e.rank])).to.deep.equal([
      ['v-E', 3],
      ['a-E', 2],
    ]);
    expect(answer.hits[0]!.evidence[0]!.score).to.be.closeTo(0.894427, 1e-6);
    expect(ids(await visualAndAudio({ ...narrow, rescore: true, fusion: Fusion.FUSION_RRF }))).to.have.members(['A', 'B', 'C', 'E']);
    // A content without a point under a sub-query's filter gets its floor and empty evidence there.
    const contentIds = ['B', 'D'];
    const filtered = await visualAndAudio({
      subQueries: [
        sub(visual, { vector: Q_VISUAL, filter: { contentIds, metadataContains: undefined, createdAfter: undefined, createdBefore: undefined } }),
        sub(audio, { vector: Q_AUDIO }),
      ],
      rescore: true,
    });
    expect(ids(filtered)).to.have.members(['A', 'B', 'C', 'D', 'E']);
    expect(filtered.hits.find((h) => h.contentId === 'A')!.evidence[0]).to.deep.equal({ pointId: '', score: 0, rank: 0 });
    // The keyword: contents that do not match have no evidence; those that do keep their ts_rank_cd.
    const keyword = { collection: text, query: 'summer tour', weight: undefined, filter: undefined, candidates: 0 };
    const withKeyword = await search({ subQueries: [sub(visual, { vector: Q_VISUAL })], keyword, rescore: true });
    const plain = await search({ keyword });
    expect(ids(withKeyword)).to.have.members(['A', 'B', 'C', 'D', 'E']);
    for (const hit of withKeyword.hits) {
      const matched = plain.hits.find((h) => h.contentId === hit.contentId)?.evidence[0];
      expect(hit.evidence[1]).to.deep.equal(matched ?? { pointId: '', score: 0, rank: 0 });
    }
    // The example's content stays out of the union.
    expect(ids(await search({ subQueries: [sub(visual, { pointId: 'v-B' }), sub(audio, { vector: Q_AUDIO })], rescore: true }))).to.not.include('B');
    // Bad input as without rescore, before any work; an empty union answers nothing.
    await expectStatus(
      search({ subQueries: [sub(visual, { vector: Q_VISUAL }), sub('nope', { vector: Q_VISUAL })], rescore: true }),
      status.NOT_FOUND,
      /collection "nope"/,
    );
    await expectStatus(
      search({ subQueries: [sub(visual, { vector: Q_VISUAL }), sub(audio, { vector: floats([1, 0]) })], rescore: true }),
      status.INVALID_ARGUMENT,
      /sub_queries\[1\]\.vector: vector has 2 dimensions/,
    );
    await expectStatus(
      search({ subQueries: [sub(visual, { vector: Q_VISUAL, weight: 0 })], rescore: true }),
      status.INVALID_ARGUMENT,
      /every sub-query has weight 0/,
    );
    expect(ids(await search({ keyword: { ...keyword, query: 'nothing-like-this' }, rescore: true }))).to.deep.equal([]);
  });

  it('searches near a stored point or a content (mean of its points), leaving the example content out', async () => {
    const byPoint = await search({ subQueries: [sub(visual, { pointId: 'v-B' })] });
    expect(ids(byPoint)).to.deep.equal(['A', 'E', 'C', 'D']);
    const byContent = await search({ subQueries: [sub(audio, { contentId: 'C' }), sub(visual, { contentId: 'A' })], topK: 2 });
    expect(ids(byContent)).to.not.include.members(['A', 'C']);
    // A's 30 visual frames average to a direction near [1, 0, 0.145]: B stays its nearest other content.
    const aMean = await search({ subQueries: [sub(visual, { contentId: 'A' })], topK: 1 });
    expect(ids(aMean)).to.deep.equal(['B']);
  });

  it('applies each sub-query filter and exact scans', async () => {
    const filtered = await visualAndAudio({
      subQueries: [
        sub(visual, { vector: Q_VISUAL, filter: { contentIds: ['B', 'D'], metadataContains: undefined, createdAfter: undefined, createdBefore: undefined } }),
      ],
    });
    expect(ids(filtered)).to.deep.equal(['B', 'D']);
    const exact = await visualAndAudio({ exact: true });
    expect(ids(exact)).to.deep.equal(['C', 'E', 'A', 'B', 'D']);
  });

  it('searches text fields by keyword (web-search syntax, ts_rank_cd) and fuses it with vectors', async () => {
    const keyword = (query: string, fields: Partial<SearchContentRequest> = {}) =>
      search({ keyword: { collection: text, query, weight: undefined, filter: undefined, candidates: 0 }, ...fields });
    const both = await keyword('summer tour');
    expect(ids(both)).to.deep.equal(['C', 'A']); // C holds the pair twice
    expect(both.hits[0]!.evidence).to.have.length(1);
    expect(both.hits[0]!.evidence[0]!.pointId).to.equal('t-C');
    expect(both.hits[0]!.evidence[0]!.score).to.be.greaterThan(both.hits[1]!.evidence[0]!.score);
    expect(ids(await keyword('summer -tour'))).to.deep.equal(['D']); // found through hashtags (a JSON array)
    expect(ids(await keyword('"winter tour" or cooking'))).to.have.members(['B', 'D']);
    expect(ids(await keyword('nothing-like-this'))).to.deep.equal([]);
    // Vectors and keyword together: visual ranks A1 B2 E3 C4 D5, keyword C1 A2.
    const fused = await keyword('summer tour', { subQueries: [sub(visual, { vector: Q_VISUAL })] });
    expect(ids(fused)).to.deep.equal(['A', 'C', 'B', 'E', 'D']);
    expect(fused.hits[0]!.evidence.map((e) => e.rank)).to.deep.equal([1, 2]);
  });

  it('indexes text in the collection language and reports text_fields', async () => {
    const e = server.embedding;
    // NOTE: no index until 100 points, so its points take the bulk COPY path straight into the table.
    const english = await createCollection(e, { name: uniq('en'), dimension: 2, textFields: ['caption'], textLanguage: 'english', indexingThreshold: 100 });
    const got = (await call(e, e.getCollection, { name: english })).collection!;
    expect([got.textFields, got.textLanguage]).to.deep.equal([['caption'], 'english']);
    expect((await call(e, e.getCollection, { name: visual })).collection!.textFields).to.deep.equal([]);
    await call(e, e.upsert, { collection: english, points: [point('x', floats([1, 0]), 'X', { caption: 'Touring the summers' })] });
    const found = await search({ keyword: { collection: english, query: 'summer tours', weight: undefined, filter: undefined, candidates: 0 } });
    expect(ids(found)).to.deep.equal(['X']);
    await expectStatus(
      createCollection(e, { textFields: ['caption'], textLanguage: 'klingon' }),
      status.INVALID_ARGUMENT,
      /text_language "klingon" is not a text search configuration of this database; use one of .*simple/,
    );
    await expectStatus(createCollection(e, { textFields: ["cap'tion"] }), status.INVALID_ARGUMENT, /text_fields\[0\]/);
  });

  it('reaches collections through aliases', async () => {
    const alias = uniq('al');
    await call(server.embedding, server.embedding.createAlias, { alias, collection: visual });
    const answer = await search({ subQueries: [sub(alias, { vector: Q_VISUAL })], topK: 2 });
    expect(ids(answer)).to.deep.equal(['A', 'B']);
    await call(server.embedding, server.embedding.deleteAlias, { alias });
  });

  it('refuses bad input, naming the collection or the sub-query', async () => {
    const two = (i: number) => Array.from({ length: i }, () => sub(visual, { vector: Q_VISUAL }));
    await expectStatus(search({ subQueries: [sub(visual, { vector: Q_VISUAL }), sub('nope', { vector: Q_VISUAL })] }), status.NOT_FOUND, /collection "nope"/);
    await expectStatus(
      search({ subQueries: [sub(visual, { vector: Q_VISUAL }), sub(audio, { vector: floats([1, 0]) })] }),
      status.INVALID_ARGUMENT,
      /sub_queries\[1\]\.vector: vector has 2 dimensions, collection ".*" expects 3/,
    );
    await expectStatus(search({ subQueries: [] }), status.INVALID_ARGUMENT, /sub_queries is empty/);
    await expectStatus(search({ subQueries: two(11) }), status.INVALID_ARGUMENT, /sub_queries has 11 sub-queries; at most 10/);
    await expectStatus(
      search({ subQueries: [sub(visual, { vector: Q_VISUAL, weight: 0 }), sub(audio, { vector: Q_AUDIO, weight: 0 })] }),
      status.INVALID_ARGUMENT,
      /every sub-query has weight 0/,
    );
    await expectStatus(search({ subQueries: [sub(visual, { vector: Q_VISUAL, weight: -1 })] }), status.INVALID_ARGUMENT, /sub_queries\[0\]\.weight is -1/);
    await expectStatus(
      search({ keyword: { collection: visual, query: 'tour', weight: undefined, filter: undefined, candidates: 0 } }),
      status.INVALID_ARGUMENT,
      /keyword\.collection: collection ".*" has no text_fields/,
    );
    await expectStatus(
      search({ keyword: { collection: text, query: '  ', weight: undefined, filter: undefined, candidates: 0 } }),
      status.INVALID_ARGUMENT,
      /keyword\.query is empty/,
    );
    // The parser's own limits are the caller's input too (Postgres raised 'tsquery stack too small' as internal).
    const keywordSearch = (query: string) => search({ keyword: { collection: text, query, weight: undefined, filter: undefined, candidates: 0 } });
    await expectStatus(keywordSearch('-'.repeat(40)), status.INVALID_ARGUMENT, /keyword\.query cannot be searched: .*tsquery/);
    for (const query of [Array(200).fill('-x').join(' '), `${'"'.repeat(200)}x`, Array(200).fill('x or').join(' ')]) {
      const code = await keywordSearch(query).then(
        () => status.OK,
        (err: { code: number }) => err.code,
      );
      expect([status.OK, status.INVALID_ARGUMENT], query.slice(0, 20)).to.include(code);
    }
    await expectStatus(
      search({ subQueries: [sub(visual, { vector: Q_VISUAL, candidates: 1001 })] }),
      status.INVALID_ARGUMENT,
      /sub_queries\[0\]\.candidates is 1001; at most 1000 \(the top_k limit/,
    );
    await expectStatus(
      search({ subQueries: [sub(visual, { vector: Q_VISUAL, pointId: 'v-B' })] }),
      status.INVALID_ARGUMENT,
      /set exactly one of sub_queries\[0\]\.vector, sub_queries\[0\]\.point_id and sub_queries\[0\]\.content_id/,
    );
    await expectStatus(search({ subQueries: [sub(visual, { pointId: 'gone' })] }), status.NOT_FOUND, /sub_queries\[0\]\.point_id: point "gone" not found/);
    await expectStatus(search({ subQueries: [sub(visual, { contentId: 'gone' })] }), status.NOT_FOUND, /content "gone" has no point/);
    await expectStatus(search({ subQueries: two(1), topK: 0 }), status.INVALID_ARGUMENT, /top_k is 0/);
    await expectStatus(search({ subQueries: two(1), fusion: 9 as Fusion }), status.INVALID_ARGUMENT, /fusion must be one of rrf, weighted/);
  });
});

describe(`embedding SearchContent answer size (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ LIMIT_MAX_RESPONSE_BYTES: String(64 * 1024) });
  });
  after(async () => {
    await stopAndClean(server);
  });

  it('refuses up front what top_k × sub-queries could answer past LIMIT_MAX_RESPONSE_BYTES, and stops an answer whose ids pass it', async () => {
    const e = server.embedding;
    const name = await createCollection(e);
    const long = (prefix: string, i: number) => `${prefix}${i}`.padEnd(256, 'x');
    const points = Array.from({ length: 300 }, (_, i) => point(long('p', i), floats([1, i / 300, 0]), long('c', i)));
    await call(e, e.upsert, { collection: name, points });
    const query = (topK: number, count: number) =>
      call(e, e.searchContent, {
        ...SearchContentRequest.fromPartial({ topK }),
        subQueries: Array.from({ length: count }, (_, i) => ({
          ...SearchContentRequest.fromPartial({ subQueries: [{ collection: name }] }).subQueries[0]!,
          vector: floats([1, i, 0]),
        })),
      });
    // 1000 contents × 10 evidence entries: refused before any sub-query runs.
    await expectStatus(query(1000, 10), status.RESOURCE_EXHAUSTED, /SearchContent could answer .* at most 64 KiB \(LIMIT_MAX_RESPONSE_BYTES\)/);
    // 300 contents × (256-character content id + 4 × 256-character point ids) pass the limit once known.
    await expectStatus(query(300, 4), status.RESOURCE_EXHAUSTED, /SearchContent answer passed 64 KiB \(LIMIT_MAX_RESPONSE_BYTES\)/);
    expect((await query(10, 4)).hits).to.have.length(10);
  });
});
