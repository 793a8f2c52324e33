// SearchContent through gRPC on a seeded cross-modal set: contents with visual frames, an audio and a text vector,
// relevant to a query only when both their visual and their audio cluster match it. Reports recall@10 of the fused
// query against each single modality and against the same fusion over exact scans, and a 3-sub-query SearchContent
// against the three single Searches a caller would otherwise send.
import { IndexState, Precision, SearchContentRequest, type ContentSubQuery, type Point } from '../../src/gen/stakazo/ml/v1/embedding.js';
import type { Backend } from '../backend.js';
import { gaussian } from '../../src/learning/math/stats.js';
import { ClusteredVectors, seededRandom } from '../data.js';
import { call } from '../grpc.js';
import { infoMeasure, ratioMeasure, valueMeasure, type Measure } from '../measure.js';
import { nowMs, percentile, progress } from '../stats.js';
import { searchRequest } from './search.js';
import { createCollection } from './vectors.js';

const TOP_K = 10;
/** Contents each sub-query contributes: a caller merging by hand would fetch as many from each Search. */
const CANDIDATES = 200;
const FRAMES_PER_CONTENT = 3;
/** Clusters per modality: a query's relevant contents share its visual and its audio cluster (1 in 64 contents). */
const CLUSTERS = 8;
const DIMENSIONS = { visual: 512, audio: 128, text: 384 } as const;
type Modality = keyof typeof DIMENSIONS;
const MODALITIES: Modality[] = ['visual', 'audio', 'text'];
/** The text vector follows the visual cluster (a caption describes what is seen), with more noise: weak evidence. */
const WEIGHTS: Record<Modality, number> = { visual: 1, audio: 1, text: 0.5 };

/** The cross-modal world: per content its visual and audio cluster; vectors per modality. */
interface World {
  contents: number;
  visualCluster: (c: number) => number;
  audioCluster: (c: number) => number;
  spaces: Record<Modality, ClusteredVectors>;
}

function world(contents: number): World {
  return {
    contents,
    visualCluster: (c) => c % CLUSTERS,
    audioCluster: (c) => Math.floor(c / CLUSTERS) % CLUSTERS,
    spaces: {
      visual: new ClusteredVectors(DIMENSIONS.visual, CLUSTERS, 11, 0.6),
      audio: new ClusteredVectors(DIMENSIONS.audio, CLUSTERS, 12, 0.6),
      text: new ClusteredVectors(DIMENSIONS.text, CLUSTERS, 13, 1.2),
    },
  };
}

/** A unit vector near centre `cluster` of `space`, with the space's spread. */
function near(space: ClusteredVectors, cluster: number, random: () => number): Float32Array {
  const scale = space.spread / Math.sqrt(space.dimension);
  const v = space.centres[cluster]!.map((c) => c + scale * gaussian(random));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const contentId = (c: number) => `xm${c}`;
const packed = (v: Float32Array) => ({ values: [], float32Le: Buffer.from(v.buffer, v.byteOffset, v.byteLength) });

/**
 * Creates the three collections and loads them. NOTE: each index waits for the last point (deferred indexing) and
 * is built once, then the load waits for READY: on PGlite, maintaining HNSW point by point took tens of minutes.
 */
async function load(backend: Backend, names: Record<Modality, string>, w: World): Promise<void> {
  for (const modality of MODALITIES) {
    const random = seededRandom(1000 + MODALITIES.indexOf(modality));
    const count = w.contents * (modality === 'visual' ? FRAMES_PER_CONTENT : 1);
    await createCollection(backend, names[modality], DIMENSIONS[modality], Precision.PRECISION_FLOAT32, count);
    const points: Point[] = [];
    for (let c = 0; c < w.contents; c++) {
      const cluster = modality === 'audio' ? w.audioCluster(c) : w.visualCluster(c);
      const count = modality === 'visual' ? FRAMES_PER_CONTENT : 1;
      for (let f = 0; f < count; f++) {
        const vector = near(w.spaces[modality], cluster, random);
        points.push({
          id: `${modality}-${c}-${f}`,
          contentId: contentId(c),
          vector: packed(vector),
          metadata: undefined,
          createTime: undefined,
          updateTime: undefined,
        });
      }
    }
    for (let i = 0; i < points.length; i += 500)
      await call(backend.embedding, backend.embedding.upsert, { collection: names[modality], points: points.slice(i, i + 500) });
  }
  for (const name of Object.values(names)) {
    while ((await call(backend.embedding, backend.embedding.getCollection, { name })).collection!.indexState !== IndexState.INDEX_STATE_READY) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Query q: a visual, an audio and a text vector for a (visual, audio) cluster pair, and the relevant contents. */
function query(w: World, q: number): { vectors: Record<Modality, Float32Array>; relevant: Set<string> } {
  const random = seededRandom(9000 + q);
  const visual = Math.floor(random() * CLUSTERS);
  const audio = Math.floor(random() * CLUSTERS);
  const vectors = { visual: near(w.spaces.visual, visual, random), audio: near(w.spaces.audio, audio, random), text: near(w.spaces.text, visual, random) };
  const relevant = new Set<string>();
  for (let c = 0; c < w.contents; c++) if (w.visualCluster(c) === visual && w.audioCluster(c) === audio) relevant.add(contentId(c));
  return { vectors, relevant };
}

function contentRequest(
  names: Record<Modality, string>,
  vectors: Record<Modality, Float32Array>,
  modalities: Modality[],
  exact: boolean,
): SearchContentRequest {
  const subQueries = modalities.map(
    (m): ContentSubQuery => ({
      ...SearchContentRequest.fromPartial({ subQueries: [{ collection: names[m] }] }).subQueries[0]!,
      vector: packed(vectors[m]),
      weight: WEIGHTS[m],
      candidates: CANDIDATES,
    }),
  );
  return { ...SearchContentRequest.fromPartial({ topK: TOP_K }), subQueries, exact };
}

async function searchContent(backend: Backend, request: SearchContentRequest): Promise<{ ids: string[]; ms: number }> {
  const start = nowMs();
  const response = await call(backend.embedding, backend.embedding.searchContent, request);
  return { ids: response.hits.map((h) => h.contentId), ms: nowMs() - start };
}

/** The three Searches a caller would send to merge by hand: one per modality, grouped by content, CANDIDATES each. */
async function threeSearches(backend: Backend, names: Record<Modality, string>, vectors: Record<Modality, Float32Array>): Promise<number> {
  const start = nowMs();
  for (const m of MODALITIES) {
    await call(backend.embedding, backend.embedding.search, { ...searchRequest(names[m], vectors[m]), topK: CANDIDATES, groupByContent: true });
  }
  return nowMs() - start;
}

const recallOf = (found: readonly string[], wanted: ReadonlySet<string>) => found.filter((id) => wanted.has(id)).length / Math.min(TOP_K, wanted.size);
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Loads the set (contents = the main collection's size, at most 4,000), measures, deletes its collections. */
export async function measureCrossModal(backend: Backend, runId: string, vectorCount: number, reps: number): Promise<Measure[]> {
  const w = world(Math.min(Math.max(vectorCount, 256), 4000));
  const names = { visual: `bench_${runId}_xv`, audio: `bench_${runId}_xa`, text: `bench_${runId}_xt` };
  progress(`${backend.name}: cross-modal set of ${w.contents} contents (${FRAMES_PER_CONTENT} visual frames, audio, text each)`);
  try {
    await load(backend, names, w);
    const queries = Array.from({ length: Math.max(reps, 10) }, (_, q) => query(w, q));
    const fusedRecall: number[] = [];
    const againstExact: number[] = [];
    const single: Record<Modality, number[]> = { visual: [], audio: [], text: [] };
    for (const q of queries) {
      const fused = await searchContent(backend, contentRequest(names, q.vectors, MODALITIES, false));
      const exact = await searchContent(backend, contentRequest(names, q.vectors, MODALITIES, true));
      fusedRecall.push(recallOf(fused.ids, q.relevant));
      againstExact.push(recallOf(fused.ids, new Set(exact.ids)));
      for (const m of MODALITIES) single[m].push(recallOf((await searchContent(backend, contentRequest(names, q.vectors, [m], false))).ids, q.relevant));
    }
    const best = MODALITIES.map((m) => ({ m, recall: mean(single[m]) })).sort((a, b) => b.recall - a.recall)[0]!;
    progress(`${backend.name}: ${queries.length} SearchContent (3 sub-queries) against 3 single Searches each`);
    const fusedMs: number[] = [];
    const threeMs: number[] = [];
    await searchContent(backend, contentRequest(names, queries[0]!.vectors, MODALITIES, false));
    await threeSearches(backend, names, queries[0]!.vectors);
    for (const q of queries) {
      fusedMs.push((await searchContent(backend, contentRequest(names, q.vectors, MODALITIES, false))).ms);
      threeMs.push(await threeSearches(backend, names, q.vectors));
    }
    return [
      valueMeasure(
        {
          id: 'cross_modal.recall_vs_exact_fusion',
          name: `SearchContent recall@10 against the same fusion over exact scans (3 sub-queries, ${w.contents} contents)`,
          value: mean(againstExact),
          unit: '',
        },
        '>=',
        0.95,
        '≥ 0.95',
      ),
      {
        id: 'cross_modal.recall_vs_best_single',
        name: 'SearchContent recall@10 of the relevant contents (visual and audio cluster match), fused',
        value: mean(fusedRecall),
        unit: '',
        baseline: best.recall,
        baselineName: `best single modality (${best.m})`,
        ratio: mean(fusedRecall) / best.recall,
        target: 'fused > best single',
        pass: mean(fusedRecall) > best.recall,
      },
      infoMeasure({
        id: 'cross_modal.single_recalls',
        name: `recall@10 per single modality: visual ${mean(single.visual).toFixed(2)}, audio ${mean(single.audio).toFixed(2)}, text ${mean(single.text).toFixed(2)}`,
        value: best.recall,
        unit: '',
      }),
      ratioMeasure(
        {
          id: 'cross_modal.p50_vs_three_searches',
          name: `SearchContent p50, 3 sub-queries × ${CANDIDATES} candidates (gRPC)`,
          value: percentile(fusedMs, 0.5),
          unit: 'ms',
          baseline: percentile(threeMs, 0.5),
          baselineName: `3 single Searches p50, grouped, top_k ${CANDIDATES} (gRPC)`,
        },
        '<=',
        0.6,
      ),
    ];
  } finally {
    for (const name of Object.values(names)) await call(backend.embedding, backend.embedding.deleteCollection, { name }).catch(() => undefined);
  }
}
