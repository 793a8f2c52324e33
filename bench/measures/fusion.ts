// SearchContent with rescore (issue 30) on the agreement world: contents with a visual topic (three frames) and an
// audio topic, a query relevant to the contents of both its topics. Reports the p50 of the re-scored request
// against the same request fused by today's RRF, and recall@10 against the exact fusion of every content.
import { Fusion, IndexState, Precision, SearchContentRequest, type ContentSubQuery, type Point } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { agreementQuery, agreementWorld, exactScores, recallAt, topOf, weightedFusion, type AgreementWorld } from '../../test/helpers/agreement-world.js';
import type { Backend } from '../backend.js';
import { call } from '../grpc.js';
import { infoMeasure, ratioMeasure, type Measure } from '../measure.js';
import { nowMs, percentile, progress } from '../stats.js';
import { newCollection } from './vectors.js';

const TOP_K = 10;
/** 20 visual × 20 audio topics as in the issue; 128-d vectors in both collections. */
const TOPICS = 20;
const DIMENSION = 128;
const FRAMES = 3;
const WORLD_SEED = 30;

const packed = (v: Float32Array) => ({ values: [], float32Le: Buffer.from(v.buffer, v.byteOffset, v.byteLength) });
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Loads frames and audio vectors; each HNSW index is built once after the last point (deferred), then awaited. */
async function load(backend: Backend, names: { visual: string; audio: string }, world: AgreementWorld): Promise<void> {
  const point = (id: string, vector: Float32Array, contentId: string): Point => ({
    id,
    contentId,
    vector: packed(vector),
    metadata: undefined,
    createTime: undefined,
    updateTime: undefined,
  });
  const sets = {
    [names.visual]: world.contents.flatMap((c) => c.frames.map((f, i) => point(`${c.id}-f${i}`, f, c.id))),
    [names.audio]: world.contents.map((c) => point(`${c.id}-a`, c.audio, c.id)),
  };
  for (const [name, points] of Object.entries(sets)) {
    await newCollection(backend, name, DIMENSION, Precision.PRECISION_FLOAT32, points.length);
    for (let i = 0; i < points.length; i += 500)
      await call(backend.embedding, backend.embedding.upsert, { collection: name, points: points.slice(i, i + 500) });
  }
  for (const name of Object.keys(sets)) {
    while ((await call(backend.embedding, backend.embedding.getCollection, { name })).collection!.indexState !== IndexState.INDEX_STATE_READY) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Loads the world (contents = the main collection's size, 400..2,000), measures, deletes its collections. */
export async function measureFusion(backend: Backend, runId: string, vectorCount: number, reps: number): Promise<Measure[]> {
  const world = agreementWorld(WORLD_SEED, { contents: Math.min(Math.max(vectorCount, 400), 2000), topics: TOPICS, dimension: DIMENSION, frames: FRAMES });
  const names = { visual: `bench_${runId}_fv`, audio: `bench_${runId}_fa` };
  progress(`${backend.name}: agreement world of ${world.contents.length} contents (${TOPICS} × ${TOPICS} topics, ${FRAMES} frames and an audio vector each)`);
  try {
    await load(backend, names, world);
    const queries = Array.from({ length: Math.max(reps, 10) }, (_, q) => agreementQuery(world, 3000 + q));
    const request = (q: (typeof queries)[number], fields: Partial<SearchContentRequest>): SearchContentRequest => {
      const sub = (collection: string, vector: Float32Array): ContentSubQuery => ({
        ...SearchContentRequest.fromPartial({ subQueries: [{ collection }] }).subQueries[0]!,
        vector: packed(vector),
      });
      return { ...SearchContentRequest.fromPartial({ topK: TOP_K }), subQueries: [sub(names.visual, q.visual), sub(names.audio, q.audio)], ...fields };
    };
    const search = async (r: SearchContentRequest) => {
      const start = nowMs();
      const hits = (await call(backend.embedding, backend.embedding.searchContent, r)).hits.map((h) => h.contentId);
      return { hits, ms: nowMs() - start };
    };
    const variants = {
      rescore: { rescore: true },
      rrf: {},
      weighted: { fusion: Fusion.FUSION_WEIGHTED },
      rescoreRrf: { rescore: true, fusion: Fusion.FUSION_RRF },
    };
    const recalls = {
      rescore: [] as number[],
      rrf: [] as number[],
      weighted: [] as number[],
      rescoreRrf: [] as number[],
      full: [] as number[],
      overlap: [] as number[],
    };
    const ms = { rescore: [] as number[], rrf: [] as number[] };
    await search(request(queries[0]!, variants.rescore));
    await search(request(queries[0]!, variants.rrf));
    progress(`${backend.name}: ${queries.length} queries, RRF and rescore alternating`);
    // NOTE: the exact fusions are computed before the timed calls (their garbage was collected during the next call:
    // with PGlite in this process, always the first variant's), and the variants take turns going first.
    const fulls = queries.map((q) => {
      const scores = exactScores(world, q);
      return topOf(
        weightedFusion(
          world.contents.map((c) => c.id),
          [scores.visual, scores.audio],
          [1, 1],
        ),
        TOP_K,
      );
    });
    const listed = Object.entries(variants) as [keyof typeof variants, Partial<SearchContentRequest>][];
    for (const [i, q] of queries.entries()) {
      const full = fulls[i]!;
      recalls.full.push(recallAt(full, q.relevant, TOP_K));
      for (const [key, fields] of i % 2 === 0 ? listed : [...listed].reverse()) {
        const found = await search(request(q, fields));
        recalls[key].push(recallAt(found.hits, q.relevant, TOP_K));
        if (key === 'rescore' || key === 'rrf') ms[key].push(found.ms);
        if (key === 'rescore') recalls.overlap.push(found.hits.filter((id) => full.includes(id)).length / TOP_K);
      }
    }
    return [
      ratioMeasure(
        {
          id: 'fusion.rescore_p50_vs_rrf',
          name: `SearchContent with rescore p50, 2 sub-queries × 100 candidates (gRPC, ${world.contents.length} contents)`,
          value: percentile(ms.rescore, 0.5),
          unit: 'ms',
          baseline: percentile(ms.rrf, 0.5),
          baselineName: 'the same request fused by RRF (today’s default) p50',
        },
        '<=',
        1.5,
      ),
      ratioMeasure(
        {
          id: 'fusion.rescore_recall_vs_full',
          name: 'SearchContent with rescore recall@10 of the contents of both topics',
          value: mean(recalls.rescore),
          unit: '',
          baseline: mean(recalls.full),
          baselineName: 'the exact weighted fusion of every content',
        },
        '>=',
        0.95,
        { op: '>=', limit: 0.95, label: 'recall ≥ 0.95' },
      ),
      infoMeasure({
        id: 'fusion.rescore_top10_overlap_full',
        name: 'share of the rescore top 10 in the exact full fusion’s top 10',
        value: mean(recalls.overlap),
        unit: '',
      }),
      infoMeasure({
        id: 'fusion.other_recalls',
        name: `recall@10 on the same requests: RRF ${mean(recalls.rrf).toFixed(3)}, weighted ${mean(recalls.weighted).toFixed(3)}, rescore with RRF ${mean(recalls.rescoreRrf).toFixed(3)}`,
        value: mean(recalls.rrf),
        unit: '',
      }),
    ];
  } finally {
    for (const name of Object.values(names)) await call(backend.embedding, backend.embedding.deleteCollection, { name }).catch(() => undefined);
  }
}
