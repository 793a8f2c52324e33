// EmbeddingService Recommend over gRPC: both strategies checked against an oracle written here from the contract's
// formulas, examples excluded, filters and grouping as in Search, through an alias, and the bad-input statuses.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { RecommendStrategy, type RecommendRequest } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { BACKEND, call, expectStatus, uniq, type TestServer } from '../helpers/server.js';
import {
  clusteredVectors,
  cosineDistance,
  createCollection,
  floats,
  packed,
  point,
  recommendRequest,
  searchRequest,
  sharedServer,
  streamMessages,
  upsertStream,
} from '../helpers/embedding.js';

const COUNT = 2000;
const DIMENSION = 32;
const CONTENTS = 400; // content id i % 400: five points per content
const BUCKETS = 4;

const unit = (v: Float32Array) => {
  const norm = Math.hypot(...v);
  return Array.from(v, (x) => x / norm);
};
const mean = (vectors: number[][]) => vectors[0]!.map((_, i) => vectors.reduce((sum, v) => sum + v[i]!, 0) / vectors.length);
const similarity = (a: Float32Array, b: Float32Array) => 1 - cosineDistance(a, b);
const sigmoid = (s: number) => 0.5 * (s / (1 + Math.abs(s)) + 1);

interface Ranked {
  id: string;
  score: number;
}

/** The contract's average vector under cosine: 2 · mean(unit positives) − mean(unit negatives). */
function averageTarget(positives: Float32Array[], negatives: Float32Array[]): Float32Array {
  const p = mean(positives.map(unit));
  if (negatives.length === 0) return Float32Array.from(p);
  const n = mean(negatives.map(unit));
  return Float32Array.from(p.map((x, i) => 2 * x - n[i]!));
}

/** The contract's best score: sigmoid(best positive) when it beats the best negative, else −sigmoid(best negative). */
function bestScore(v: Float32Array, positives: Float32Array[], negatives: Float32Array[]): number {
  const positive = Math.max(...positives.map((p) => similarity(v, p)));
  const negative = negatives.length === 0 ? -Infinity : Math.max(...negatives.map((n) => similarity(v, n)));
  return positive > negative ? sigmoid(positive) : -sigmoid(negative);
}

describe(`embedding recommend (${BACKEND})`, () => {
  let server: TestServer;
  let name: string;
  const ids = Array.from({ length: COUNT }, (_, i) => `p${i}`);
  const vectors = clusteredVectors(COUNT, DIMENSION, 20, 11);
  const extra = clusteredVectors(2, DIMENSION, 20, 99);
  // Positives from three clusters, negatives from two others and one free vector.
  const positiveIds = ['p0', 'p1', 'p2'];
  const negativeIds = ['p3', 'p4'];
  const positives = [...positiveIds.map((id) => vectors[Number(id.slice(1))]!), extra[0]!];
  const negatives = [...negativeIds.map((id) => vectors[Number(id.slice(1))]!), extra[1]!];
  const examples = new Set([...positiveIds, ...negativeIds]);

  const request = (overrides: Partial<RecommendRequest>) =>
    recommendRequest(name, {
      positiveIds,
      negativeIds,
      positiveVectors: [packed(extra[0]!)],
      negativeVectors: [packed(extra[1]!)],
      ...overrides,
    });
  const recommend = (overrides: Partial<RecommendRequest>) => call(server.embedding, server.embedding.recommend, request(overrides));
  const oracle = (score: (v: Float32Array) => number, keep: (i: number) => boolean = () => true): Ranked[] =>
    vectors
      .map((v, i) => ({ id: ids[i]!, score: score(v), i }))
      .filter(({ id, i }) => !examples.has(id) && keep(i))
      .sort((a, b) => b.score - a.score);
  const hitIds = (res: { hits: { point?: { id: string } }[] }) => res.hits.map((h) => h.point!.id);
  const overlap = (found: string[], truth: Ranked[]) => found.filter((id) => truth.some((t) => t.id === id)).length / truth.length;

  before(async () => {
    server = await sharedServer();
    name = await createCollection(server.embedding, { dimension: DIMENSION });
    const points = vectors.map((v, i) => point(ids[i]!, packed(v), `content-${i % CONTENTS}`, { bucket: i % BUCKETS }));
    expect((await upsertStream(server.embedding, streamMessages(name, points))).insertedCount).to.equal(COUNT);
  });

  it('average vector: the nearest points to 2 · mean(positives) − mean(negatives), scored by cosine similarity to it', async () => {
    const target = averageTarget(positives, negatives);
    const truth = oracle((v) => similarity(v, target)).slice(0, 10);
    const exact = await recommend({ strategy: RecommendStrategy.RECOMMEND_STRATEGY_AVERAGE_VECTOR, exact: true });
    expect(hitIds(exact)).to.deep.equal(truth.map((t) => t.id));
    exact.hits.forEach((hit, i) => {
      expect(hit.score).to.be.closeTo(truth[i]!.score, 1e-4);
      expect(hit.distance).to.be.closeTo(1 - truth[i]!.score, 1e-4);
    });
    // Unspecified is the average vector; through the index, recall against the oracle.
    expect(overlap(hitIds(await recommend({})), truth)).to.be.at.least(0.9);
  });

  it('average vector with one positive id is a more-like-this Search of that point', async () => {
    const single = await recommend({ positiveIds: ['p7'], negativeIds: [], positiveVectors: [], negativeVectors: [], exact: true });
    const search = await call(server.embedding, server.embedding.search, searchRequest(name, { pointId: 'p7', exact: true }));
    expect(hitIds(single)).to.deep.equal(hitIds(search));
  });

  it('best score: each point scored against every example, positives above negatives, examples excluded', async () => {
    const truth = oracle((v) => bestScore(v, positives, negatives));
    const exact = await recommend({ strategy: RecommendStrategy.RECOMMEND_STRATEGY_BEST_SCORE, exact: true, topK: 10 });
    expect(hitIds(exact)).to.deep.equal(truth.slice(0, 10).map((t) => t.id));
    exact.hits.forEach((hit, i) => {
      expect(hit.score).to.be.closeTo(truth[i]!.score, 1e-4);
    });
    // The whole ranking of one bucket (500 points): those nearer a negative example score below zero, after the rest.
    const bucket = { contentIds: [], createdAfter: undefined, createdBefore: undefined, metadataContains: { bucket: 2 } };
    const all = await recommend({ strategy: RecommendStrategy.RECOMMEND_STRATEGY_BEST_SCORE, exact: true, topK: 1000, filter: bucket });
    const bucketTruth = new Map(
      oracle(
        (v) => bestScore(v, positives, negatives),
        (i) => i % BUCKETS === 2,
      ).map((t) => [t.id, t.score]),
    );
    expect(all.hits).to.have.length(bucketTruth.size);
    for (const hit of all.hits) expect(hit.score).to.be.closeTo(bucketTruth.get(hit.point!.id)!, 1e-4);
    const scores = all.hits.map((h) => h.score);
    expect(scores).to.deep.equal([...scores].sort((a, b) => b - a));
    expect(scores.filter((x) => x < 0).length)
      .to.equal([...bucketTruth.values()].filter((x) => x < 0).length)
      .and.to.be.greaterThan(0);
    const approximate = await recommend({ strategy: RecommendStrategy.RECOMMEND_STRATEGY_BEST_SCORE, topK: 10 });
    expect(overlap(hitIds(approximate), truth.slice(0, 10))).to.be.at.least(0.9);
    for (const res of [exact, all, approximate]) expect(hitIds(res).filter((id) => examples.has(id))).to.deep.equal([]);
  });

  for (const strategy of [RecommendStrategy.RECOMMEND_STRATEGY_AVERAGE_VECTOR, RecommendStrategy.RECOMMEND_STRATEGY_BEST_SCORE]) {
    it(`${RecommendStrategy[strategy]}: filters and group_by_content as in Search`, async () => {
      const filter = { contentIds: [], createdAfter: undefined, createdBefore: undefined, metadataContains: { bucket: 1 } };
      const filtered = await recommend({ strategy, filter, topK: 20, withVectors: true });
      expect(filtered.hits).to.have.length(20);
      for (const hit of filtered.hits) {
        expect(hit.point!.metadata).to.deep.equal({ bucket: 1 });
        expect(hit.point!.vector!.values).to.have.length(DIMENSION);
      }
      const grouped = await recommend({ strategy, groupByContent: true, topK: 30 });
      const contents = grouped.hits.map((h) => h.point!.contentId);
      expect(grouped.hits).to.have.length(30);
      expect(new Set(contents).size).to.equal(30);
      const scores = grouped.hits.map((h) => h.score);
      expect(scores).to.deep.equal([...scores].sort((a, b) => b - a));
    });
  }

  it('recommends through an alias, from the collection it points to', async () => {
    const alias = uniq('al');
    await call(server.embedding, server.embedding.createAlias, { alias, collection: name });
    try {
      const direct = await recommend({ exact: true });
      const aliased = await call(server.embedding, server.embedding.recommend, { ...request({ exact: true }), collection: alias });
      expect(hitIds(aliased)).to.deep.equal(hitIds(direct));
    } finally {
      await call(server.embedding, server.embedding.deleteAlias, { alias });
    }
  });

  it('rejects no positives, unknown ids (named), too many examples, misfit vectors and cancelling examples', async () => {
    const none = { positiveIds: [], positiveVectors: [] };
    await expectStatus(recommend(none), status.INVALID_ARGUMENT, /no positive example: set positive_ids or positive_vectors/);
    await expectStatus(
      recommend({ positiveIds: ['p0', 'nope-1', 'nope-2'] }),
      status.INVALID_ARGUMENT,
      new RegExp(`positive_ids name points not in collection "${name}": "nope-1", "nope-2"`),
    );
    await expectStatus(recommend({ negativeIds: ['gone'] }), status.INVALID_ARGUMENT, /negative_ids name points not in collection .*: "gone"/);
    const many = Array.from({ length: 99 }, (_, i) => `p${i + 10}`);
    await expectStatus(recommend({ negativeIds: many }), status.INVALID_ARGUMENT, /has 104 examples; at most 100/);
    await expectStatus(recommend({ positiveVectors: [floats([1, 0])] }), status.INVALID_ARGUMENT, /positive_vectors\[0\]: vector has 2 dimensions/);
    await expectStatus(recommend({ negativeIds: ['p0'] }), status.INVALID_ARGUMENT, /point "p0" is both a positive and a negative example/);
    await expectStatus(recommend({ strategy: 42 as RecommendStrategy }), status.INVALID_ARGUMENT, /strategy must be one of average_vector, best_score/);
    await expectStatus(recommend({ topK: 0 }), status.INVALID_ARGUMENT, /top_k is 0/);
    const opposite = [packed(vectors[0]!), packed(vectors[0]!.map((x) => -x))];
    await expectStatus(
      recommend({ positiveIds: [], negativeIds: [], negativeVectors: [], positiveVectors: opposite }),
      status.INVALID_ARGUMENT,
      /examples cancel out/,
    );
    await expectStatus(
      call(server.embedding, server.embedding.recommend, { ...request({}), collection: uniq('nope') }),
      status.NOT_FOUND,
      /collection "nope\w+" not found/,
    );
  });
});
