// SearchContent with rescore on the issue-30 world (2,000 contents, 20 visual × 20 audio topics, three frames and an
// audio vector each; relevant = contents of both the query's topics): the re-scored union finds what both
// modalities agree on, as the exact fusion of every content computed here does, where RRF over the sub-queries'
// own candidates (today's default) and one modality alone do not. Several query seeds; the exact-scan answer is
// checked against the same fusion computed here over the union. On four contents with odd ids, each content gets
// its score in the sub-query that did not return it.
import { expect } from 'chai';
import { Fusion, SearchContentRequest, type ContentSubQuery, type Point } from '../../src/gen/stakazo/ml/v1/embedding.js';
import {
  agreementQuery,
  agreementWorld,
  exactScores,
  recallAt,
  topOf,
  weightedFusion,
  type AgreementQuery,
  type AgreementWorld,
} from '../helpers/agreement-world.js';
import { BACKEND, call, uniq, type TestServer } from '../helpers/server.js';
import { createCollection, floats, packed, point as pointOf, sharedServer, streamMessages, upsertStream } from '../helpers/embedding.js';

const K = 10;
/** The default candidates per sub-query at top_k 10: min(10 × top_k, 1000). */
const CANDIDATES = 100;
const QUERIES = 16;
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe(`embedding SearchContent rescore: what every modality agrees on (${BACKEND})`, () => {
  let server: TestServer;
  let world: AgreementWorld;
  let visual: string;
  let audio: string;
  const queries: AgreementQuery[] = [];

  const sub = (collection: string, vector: Float32Array): ContentSubQuery => ({
    ...SearchContentRequest.fromPartial({ subQueries: [{ collection }] }).subQueries[0]!,
    vector: packed(vector),
  });
  const search = async (q: AgreementQuery, fields: Partial<SearchContentRequest>) => {
    const request = { ...SearchContentRequest.fromPartial({ topK: K }), subQueries: [sub(visual, q.visual), sub(audio, q.audio)], ...fields };
    return (await call(server.embedding, server.embedding.searchContent, request)).hits;
  };
  const keyword = (q: AgreementQuery) => ({ collection: audio, query: q.keyword, weight: undefined, filter: undefined, candidates: 0 });
  const recallOf = async (fields: (q: AgreementQuery) => Partial<SearchContentRequest>) => {
    const recalls: number[] = [];
    for (const q of queries)
      recalls.push(
        recallAt(
          (await search(q, fields(q))).map((h) => h.contentId),
          q.relevant,
          K,
        ),
      );
    return mean(recalls);
  };

  before(async () => {
    server = await sharedServer();
    world = agreementWorld(30);
    for (let seed = 0; seed < QUERIES; seed++) queries.push(agreementQuery(world, 3000 + seed));
    const e = server.embedding;
    // NOTE: no HNSW index (threshold above the points): PGlite builds one slowly, and rescore does not depend on it.
    visual = await createCollection(e, { name: uniq('agv'), dimension: world.dimension, indexingThreshold: 100_000 });
    audio = await createCollection(e, { name: uniq('aga'), dimension: world.dimension, indexingThreshold: 100_000, textFields: ['caption'] });
    const point = (id: string, vector: Float32Array, contentId: string, metadata?: Record<string, unknown>): Point => ({
      id,
      contentId,
      vector: packed(vector),
      metadata,
      createTime: undefined,
      updateTime: undefined,
    });
    const frames = world.contents.flatMap((c) => c.frames.map((f, i) => point(`${c.id}-f${i}`, f, c.id)));
    const sounds = world.contents.map((c) => point(`${c.id}-a`, c.audio, c.id, { caption: c.caption }));
    await upsertStream(e, streamMessages(visual, frames, 500));
    await upsertStream(e, streamMessages(audio, sounds, 500));
  });

  it('finds the contents of both topics (recall@10 ≥ 0.95, ≥ 0.95 × the full fusion) where RRF and one modality do not', async () => {
    const full: number[] = [];
    const single: number[] = [];
    for (const q of queries) {
      const scores = exactScores(world, q);
      const ids = world.contents.map((c) => c.id);
      full.push(recallAt(topOf(weightedFusion(ids, [scores.visual, scores.audio], [1, 1]), K), q.relevant, K));
      single.push(recallAt(topOf(scores.visual, K), q.relevant, K), recallAt(topOf(scores.audio, K), q.relevant, K));
    }
    // Rescore alone: the fusion defaults to weighted.
    const rescoredWeighted = await recallOf(() => ({ rescore: true }));
    const rescoredRrf = await recallOf(() => ({ rescore: true, fusion: Fusion.FUSION_RRF }));
    const rrf = await recallOf(() => ({}));
    const weighted = await recallOf(() => ({ fusion: Fusion.FUSION_WEIGHTED }));
    const report = { full: mean(full), single: mean(single), rescoredWeighted, rescoredRrf, rrf, weighted };
    // The world's structure: one modality alone finds ≈ 1 in 10, the full fusion nearly all.
    expect(report.single, JSON.stringify(report)).to.be.below(0.2);
    expect(report.full, JSON.stringify(report)).to.be.at.least(0.95);
    expect(rescoredWeighted, JSON.stringify(report))
      .to.be.at.least(0.95)
      .and.at.least(0.95 * report.full);
    // Today's fusions lose the contents outside one sub-query's candidates: clearly lower on the same requests.
    expect(rrf, JSON.stringify(report)).to.be.below(rescoredWeighted - 0.1);
    expect(weighted, JSON.stringify(report)).to.be.below(rescoredWeighted - 0.1);
    // RRF over the re-scored union: a content of one topic ranks high in one list and mid-way in the other, which
    // ranks flatten into about what agreement gets (why rescore defaults to weighted).
    expect(rescoredRrf, JSON.stringify(report)).to.be.below(rescoredWeighted - 0.1);
  });

  it('keeps recall@10 ≥ 0.9 with a keyword sub-query (either topic named in the caption)', async () => {
    const rescored = await recallOf((q) => ({ rescore: true, fusion: Fusion.FUSION_WEIGHTED, keyword: keyword(q) }));
    const rrf = await recallOf((q) => ({ keyword: keyword(q) }));
    expect(rescored, JSON.stringify({ rescored, rrf })).to.be.at.least(0.9);
    expect(rrf, JSON.stringify({ rescored, rrf })).to.be.below(rescored);
  });

  it('answers, with exact scans, the fusion computed here over the union, every hit with its real score and rank per sub-query', async () => {
    for (const q of queries.slice(0, 6)) {
      const scores = exactScores(world, q);
      const union = [...new Set([...topOf(scores.visual, CANDIDATES), ...topOf(scores.audio, CANDIDATES)])];
      const expected = weightedFusion(union, [scores.visual, scores.audio], [1, 1]);
      const hits = await search(q, { rescore: true, fusion: Fusion.FUSION_WEIGHTED, exact: true });
      expect(hits).to.have.length(K);
      // NOTE: pgvector computes in float32: scores agree to ~1e-6, so a near-tie at the 10th place may swap.
      expect(hits[K - 1]!.score).to.be.closeTo(topOf(expected, K).map((id) => expected.get(id)!)[K - 1]!, 1e-5);
      for (const hit of hits) {
        expect(hit.score).to.be.closeTo(expected.get(hit.contentId)!, 1e-5);
        const [v, a] = hit.evidence;
        expect([v!.score, a!.score]).to.satisfy(
          ([sv, sa]: number[]) => Math.abs(sv! - scores.visual.get(hit.contentId)!) < 1e-5 && Math.abs(sa! - scores.audio.get(hit.contentId)!) < 1e-5,
        );
        expect(v!.pointId).to.match(new RegExp(`^${hit.contentId}-f[0-2]$`));
        expect(a!.pointId).to.equal(`${hit.contentId}-a`);
        // Ranks in the union by each sub-query's score (a content within float error of it may come either side).
        const rankBounds = (column: ReadonlyMap<string, number>, score: number) => [
          union.filter((id) => column.get(id)! > score + 1e-5).length + 1,
          union.filter((id) => column.get(id)! > score - 1e-5).length,
        ];
        expect(v!.rank).to.be.within(...(rankBounds(scores.visual, v!.score) as [number, number]));
        expect(a!.rank).to.be.within(...(rankBounds(scores.audio, a!.score) as [number, number]));
      }
    }
  });

  it('scores each content in the sub-query that did not return it, odd content ids intact (quotes, commas, "NULL")', async () => {
    const e = server.embedding;
    const ids = ['NULL', 'a,b', '"q" {x}', 'back\\slash'];
    const v = await createCollection(e, { name: uniq('odv'), dimension: 2 });
    const a = await createCollection(e, { name: uniq('oda'), dimension: 2 });
    // Visual ranks the contents in list order, audio in reverse: with 2 candidates each, each sub-query returns two
    // contents and scores the other two again.
    await call(e, e.upsert, { collection: v, points: ids.map((id, i) => pointOf(`v-${id}`, floats([1, i / 2]), id)) });
    await call(e, e.upsert, { collection: a, points: ids.map((id, i) => pointOf(`a-${id}`, floats([1, (3 - i) / 2]), id)) });
    const candidate = (collection: string) => ({ ...sub(collection, Float32Array.from([1, 0])), candidates: 2 });
    const request = { ...SearchContentRequest.fromPartial({ topK: K }), subQueries: [candidate(v), candidate(a)], rescore: true };
    for (const exact of [true, false]) {
      const { hits } = await call(e, e.searchContent, { ...request, exact });
      expect(hits.map((h) => h.contentId)).to.have.members(ids);
      for (const hit of hits) {
        const i = ids.indexOf(hit.contentId);
        expect(hit.evidence.map((ev) => ev.pointId)).to.deep.equal([`v-${hit.contentId}`, `a-${hit.contentId}`]);
        expect(hit.evidence[0]!.score).to.be.closeTo(1 / Math.hypot(1, i / 2), 1e-6);
        expect(hit.evidence[1]!.score).to.be.closeTo(1 / Math.hypot(1, (3 - i) / 2), 1e-6);
        expect(hit.evidence.map((ev) => ev.rank)).to.deep.equal([i + 1, 4 - i]);
      }
    }
  });
});
