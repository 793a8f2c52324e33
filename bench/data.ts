// Generated benchmark data: clustered unit vectors that resemble real embeddings, and synthetic metric streams.
import { Platform } from '../src/gen/stakazo/ml/v1/common.js';
import type { MetricRecord } from '../src/gen/stakazo/ml/v1/metrics.js';
import { gaussian, mulberry32 } from '../src/learning/math/stats.js';

/** mulberry32: small, seeded, so every run sees the same data. */
export const seededRandom = mulberry32;

function normalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/**
 * `count` unit vectors around `max(10, count / 500)` random centres. Real embeddings cluster by topic and style
 * with within-cluster cosine similarity around 0.7–0.9; `spread` 0.6 gives ≈ 0.74 between members of a cluster.
 * Vector i belongs to cluster i mod clusters; queries use another seed (same centres, new points).
 */
export class ClusteredVectors {
  readonly centres: Float32Array[];

  constructor(
    readonly dimension: number,
    readonly clusters: number,
    seed = 42,
    readonly spread = 0.6,
  ) {
    const random = seededRandom(seed);
    this.centres = Array.from({ length: clusters }, () => normalizeInPlace(Float32Array.from({ length: dimension }, () => gaussian(random))));
  }

  static forCount(count: number, dimension: number): ClusteredVectors {
    return new ClusteredVectors(dimension, Math.max(10, Math.round(count / 500)));
  }

  /** `count` vectors (seeded), each a Float32Array view into one shared buffer. */
  generate(count: number, seed: number): Float32Array[] {
    const random = seededRandom(seed);
    const buffer = new Float32Array(count * this.dimension);
    const scale = this.spread / Math.sqrt(this.dimension);
    const out: Float32Array[] = [];
    for (let i = 0; i < count; i++) {
      const v = buffer.subarray(i * this.dimension, (i + 1) * this.dimension);
      const centre = this.centres[i % this.clusters]!;
      for (let d = 0; d < this.dimension; d++) v[d] = centre[d]! + scale * gaussian(random);
      out.push(normalizeInPlace(v));
    }
    return out;
  }
}

/** A 32-bit integer hash (murmur3's finaliser): spreads consecutive integers evenly. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Metadata of point i: `bucket` 0..9 gives filters of 10 % selectivity, spread evenly over the clusters.
 * NOTE: `i % 10` would tie the bucket to the cluster (`i % clusters`, a multiple of 10): a 10 % filter would then
 * match whole clusters and nothing near most queries — a different, much harder measure.
 */
export const pointMetadata = (i: number) => ({ bucket: mix32(i) % 10, style: `s${i % 7}` });

/** Id of point i. */
export const pointId = (i: number) => `p${i}`;

/** The posts and observations of a synthetic metric stream for one day. */
export interface MetricWorld {
  prefix: string;
  day: string;
  posts: number;
  /** Observations of each post during the day; each is one retention and one engagement record. */
  observations: number;
}

/** A world of about `records` records observed on `day`. */
export function metricWorld(prefix: string, day: string, records: number): MetricWorld {
  const observations = records >= 100_000 ? 25 : 5;
  return { prefix, day, observations, posts: Math.max(1, Math.round(records / (2 * observations))) };
}

export const postIdOf = (world: MetricWorld, p: number) => `${world.prefix}-post${p}`;
export const contentIdOf = (world: MetricWorld, p: number) => `${world.prefix}-content${p}`;
export const platformOf = (p: number) => [Platform.PLATFORM_TIKTOK, Platform.PLATFORM_INSTAGRAM, Platform.PLATFORM_YOUTUBE][p % 3]!;
export const durationOf = (p: number) => 8 + (p % 53);
/** Publication: the day before, at an hour that depends on the post. */
export const publishTimeOf = (world: MetricWorld, p: number) => new Date(Date.parse(`${world.day}T00:00:00Z`) - 86_400_000 + (p % 24) * 3_600_000);

function curveOf(p: number): number[] {
  const loss = 0.2 + (p % 5) * 0.1;
  const completion = 0.05 + (p % 7) * 0.02;
  return Array.from({ length: 101 }, (_, i) => {
    const t = i / 100;
    if (t <= 0.1) return 1 - (loss * t) / 0.1;
    return (1 - loss) * (completion / (1 - loss)) ** ((t - 0.1) / 0.9);
  });
}

/**
 * The records of the world in stream order: observation rounds over all posts (as a platform poller would send
 * them), each a retention record (101-point curve) and an engagement record. Generated lazily: 1,000,000 records
 * never sit in memory at once.
 */
export function* metricRecords(world: MetricWorld): Generator<MetricRecord> {
  const dayStart = Date.parse(`${world.day}T00:00:00Z`);
  const curves = new Map<number, number[]>();
  for (let o = 0; o < world.observations; o++) {
    const observeTime = new Date(dayStart + Math.floor(((o + 0.5) / world.observations) * 86_000_000));
    for (let p = 0; p < world.posts; p++) {
      const postId = postIdOf(world, p);
      const views = 1000 + ((p * 7919) % 50_000) * (o + 1);
      const curve = curves.get(p % 35) ?? curves.set(p % 35, curveOf(p % 35)).get(p % 35)!;
      yield {
        recordId: `${postId}-o${o}-ret`,
        observeTime,
        payload: {
          $case: 'retention',
          value: {
            postId,
            views,
            averageViewDurationS: durationOf(p) * 0.4,
            completionRate: curve[100]!,
            rewatchRate: 0.02,
            skipRateFirst3s: 1 - curve[10]!,
            retentionCurve: curve,
          },
        },
      };
      yield {
        recordId: `${postId}-o${o}-eng`,
        observeTime,
        payload: {
          $case: 'engagement',
          value: {
            postId,
            likes: Math.round(views * 0.06),
            comments: Math.round(views * 0.004),
            shares: Math.round(views * 0.01),
            saves: Math.round(views * 0.008),
            follows: Math.round(views * 0.001),
            reach: Math.round(views * 0.8),
            impressions: Math.round(views * 1.4),
          },
        },
      };
    }
  }
}

/** Groups items into arrays of `size`. */
export function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
