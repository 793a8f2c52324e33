// A cross-modal world where only agreement finds the answer (issue 30): contents with a visual topic (three frames)
// and an audio topic (one vector, and a caption naming both topics, each word kept with probability 0.8); a query
// names one visual and one audio topic, and the relevant contents are those of both (≈ 5 of 2,000), while each
// topic has ≈ 100 contents, so one modality alone finds ≈ 1 in 10. Pure: the test and the bench load it, and
// compute here the exact fusion of every content (the "full fusion") to compare with.
import { gaussian, mulberry32 } from '../../src/learning/math/stats.js';

export interface AgreementContent {
  id: string;
  visualTopic: number;
  audioTopic: number;
  frames: Float32Array[];
  audio: Float32Array;
  caption: string;
}

export interface AgreementWorld {
  dimension: number;
  contents: AgreementContent[];
  visualCentres: Float32Array[];
  audioCentres: Float32Array[];
}

export interface AgreementQuery {
  visual: Float32Array;
  audio: Float32Array;
  /** Web-search syntax: either topic's word. */
  keyword: string;
  relevant: Set<string>;
}

export interface WorldSize {
  contents: number;
  /** Topics per modality. */
  topics: number;
  dimension: number;
  frames: number;
}

export const ISSUE_WORLD: WorldSize = { contents: 2000, topics: 20, dimension: 32, frames: 3 };
/** Spread of a content (and a query) around its topic centre, and of a frame around its content. */
const CONTENT_SPREAD = 0.6;
const FRAME_SPREAD = 0.3;
/** Chance that a caption names each topic. */
const CAPTION_RECALL = 0.8;

function normalised(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** A unit vector around `centre`: each dimension moved by spread / √d × N(0, 1). */
function around(centre: Float32Array, spread: number, random: () => number): Float32Array {
  const scale = spread / Math.sqrt(centre.length);
  return normalised(centre.map((c) => c + scale * gaussian(random)));
}

const randomUnit = (dimension: number, random: () => number) => normalised(Float32Array.from({ length: dimension }, () => gaussian(random)));

export function agreementWorld(seed: number, size: WorldSize = ISSUE_WORLD): AgreementWorld {
  const random = mulberry32(seed);
  const visualCentres = Array.from({ length: size.topics }, () => randomUnit(size.dimension, random));
  const audioCentres = Array.from({ length: size.topics }, () => randomUnit(size.dimension, random));
  const contents = Array.from({ length: size.contents }, (_, c): AgreementContent => {
    const visualTopic = Math.floor(random() * size.topics);
    const audioTopic = Math.floor(random() * size.topics);
    const look = around(visualCentres[visualTopic]!, CONTENT_SPREAD, random);
    const words = [`filler${Math.floor(random() * 50)}`, ...(random() < CAPTION_RECALL ? [`scene${visualTopic}`] : [])];
    if (random() < CAPTION_RECALL) words.push(`tune${audioTopic}`);
    return {
      id: `ag${c}`,
      visualTopic,
      audioTopic,
      frames: Array.from({ length: size.frames }, () => around(look, FRAME_SPREAD, random)),
      audio: around(audioCentres[audioTopic]!, CONTENT_SPREAD, random),
      caption: words.join(' '),
    };
  });
  return { dimension: size.dimension, contents, visualCentres, audioCentres };
}

/** Query `seed`: the topics of a content drawn at random (so at least one is relevant), vectors near their centres. */
export function agreementQuery(world: AgreementWorld, seed: number): AgreementQuery {
  const random = mulberry32(seed);
  const { visualTopic, audioTopic } = world.contents[Math.floor(random() * world.contents.length)]!;
  const relevant = new Set(world.contents.filter((c) => c.visualTopic === visualTopic && c.audioTopic === audioTopic).map((c) => c.id));
  return {
    visual: around(world.visualCentres[visualTopic]!, CONTENT_SPREAD, random),
    audio: around(world.audioCentres[audioTopic]!, CONTENT_SPREAD, random),
    keyword: `scene${visualTopic} or tune${audioTopic}`,
    relevant,
  };
}

/** The cosine similarity of two unit vectors (every vector of the world is one): their dot product. */
function cosine(a: Float32Array, b: Float32Array): number {
  return a.reduce((dot, x, i) => dot + x * b[i]!, 0);
}

/** Every content's exact score per modality: the cosine similarity of its best frame, of its audio vector. */
export function exactScores(world: AgreementWorld, query: AgreementQuery): { visual: Map<string, number>; audio: Map<string, number> } {
  const visual = new Map(world.contents.map((c) => [c.id, Math.max(...c.frames.map((f) => cosine(f, query.visual)))]));
  const audio = new Map(world.contents.map((c) => [c.id, cosine(c.audio, query.audio)]));
  return { visual, audio };
}

/** The `k` best of `scores` (ties by id). */
export function topOf(scores: ReadonlyMap<string, number>, k: number): string[] {
  return [...scores]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, k)
    .map(([id]) => id);
}

/**
 * The weighted fusion over `ids` (every one scored in every column): Σ weight × score scaled min-max over `ids`,
 * divided by Σ weight; best first with the fused score.
 */
export function weightedFusion(ids: readonly string[], columns: readonly ReadonlyMap<string, number>[], weights: readonly number[]): Map<string, number> {
  const total = weights.reduce((s, w) => s + w, 0);
  const fused = new Map(ids.map((id) => [id, 0]));
  columns.forEach((column, i) => {
    const values = ids.map((id) => column.get(id)!);
    const min = Math.min(...values);
    const max = Math.max(...values);
    ids.forEach((id, j) => {
      fused.set(id, fused.get(id)! + (weights[i]! * (max > min ? (values[j]! - min) / (max - min) : 1)) / total);
    });
  });
  return fused;
}

/** recall@k: the share of the relevant contents found among the first k (of at most k relevant). */
export function recallAt(found: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return found.slice(0, k).filter((id) => relevant.has(id)).length / Math.min(k, relevant.size);
}
