// Retention clusters: deterministic k-means on normalised curves, k chosen by the mean silhouette.
import { CURVE_POINTS, resampleCurve } from './retention.js';
import { clamp, mean, mulberry32, shuffled, type Random } from '../math/stats.js';

/** One post to cluster: its curve and the outcomes averaged per cluster. */
export interface ClusterInput {
  postId: string;
  /** Retention curve at evenly spaced points (101 expected; other lengths are resampled). */
  curve: readonly number[];
  views: number;
  completionRate: number;
  first3sLoss: number;
}

/** A group of posts whose curves have a similar shape (mirrors the proto's RetentionCluster, plus members). */
export interface RetentionClusterResult {
  /** 0 for the largest cluster. */
  clusterIndex: number;
  /** Short description of the shape, e.g. "early drop". */
  label: string;
  /** Mean normalised curve, 101 values. */
  centroidCurve: number[];
  size: number;
  meanViews: number;
  meanCompletionRate: number;
  meanFirst3sLoss: number;
  /** Up to 5 members nearest the centroid, nearest first. */
  examplePostIds: string[];
  /** Every member, in post id order. */
  memberPostIds: string[];
}

/** The result of {@link clusterRetentionCurves}. */
export interface ClusteringResult {
  /** Largest first. */
  clusters: RetentionClusterResult[];
  /** Mean silhouette of the chosen clustering (on a deterministic sample), -1..1; 0 with fewer than 2 clusters. */
  silhouette: number;
  postsCount: number;
}

/** Tuning of the clustering; defaults are what the service uses. */
export interface ClusteringOptions {
  /** Largest k tried (2..10). Default 6. */
  maxClusters?: number;
  /** Seed of the PRNG behind sampling and k-means++. Default 1. */
  seed?: number;
  /** Posts on which each k is fitted while choosing k. Default 2,000. */
  fitSampleSize?: number;
  /** Posts on which the silhouette is measured (O(n²)). Default 1,000. */
  silhouetteSampleSize?: number;
  /** Lloyd iterations at most. Default 100. */
  maxIterations?: number;
}

/** Below this many posts a single cluster is returned: a silhouette needs at least 2 clusters of 2. */
export const MIN_POSTS_FOR_CLUSTERING = 4;

const DIMENSIONS = CURVE_POINTS;

/** Squared Euclidean distance between row a of `left` and row b of `right` (flat row-major matrices). */
function squaredDistance(left: Float64Array, a: number, right: Float64Array, b: number): number {
  let sum = 0;
  const offsetA = a * DIMENSIONS;
  const offsetB = b * DIMENSIONS;
  for (let d = 0; d < DIMENSIONS; d++) {
    const diff = left[offsetA + d] - right[offsetB + d];
    sum += diff * diff;
  }
  return sum;
}

/** Index of the nearest centroid to row `row` of `data`, and its squared distance. */
function nearest(data: Float64Array, row: number, centroids: Float64Array, k: number): [number, number] {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    const distance = squaredDistance(data, row, centroids, c);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = c;
    }
  }
  return [best, bestDistance];
}

/** k-means++ seeding over the given rows; may return fewer than k centroids when rows repeat. */
function seedCentroids(data: Float64Array, rows: readonly number[], k: number, random: Random): Float64Array {
  const chosen: number[] = [rows[Math.floor(random() * rows.length)]];
  const closest = new Float64Array(rows.length).fill(Infinity);
  while (chosen.length < k) {
    const last = chosen[chosen.length - 1];
    let total = 0;
    rows.forEach((row, i) => {
      closest[i] = Math.min(closest[i], squaredDistance(data, row, data, last));
      total += closest[i];
    });
    if (total === 0) break;
    let target = random() * total;
    let pick = rows.length - 1;
    for (let i = 0; i < rows.length; i++) {
      target -= closest[i];
      if (target < 0) {
        pick = i;
        break;
      }
    }
    chosen.push(rows[pick]);
  }
  const centroids = new Float64Array(chosen.length * DIMENSIONS);
  chosen.forEach((row, c) => {
    centroids.set(data.subarray(row * DIMENSIONS, (row + 1) * DIMENSIONS), c * DIMENSIONS);
  });
  return centroids;
}

/** Lloyd's iterations over the given rows from the given centroids; returns final centroids and labels. */
function lloyd(data: Float64Array, rows: readonly number[], start: Float64Array, maxIterations: number): { centroids: Float64Array; labels: Int32Array } {
  const k = start.length / DIMENSIONS;
  const centroids = Float64Array.from(start);
  const labels = new Int32Array(rows.length).fill(-1);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let changed = false;
    rows.forEach((row, i) => {
      const [label] = nearest(data, row, centroids, k);
      if (label !== labels[i]) {
        labels[i] = label;
        changed = true;
      }
    });
    if (!changed) break;
    const sums = new Float64Array(k * DIMENSIONS);
    const counts = new Int32Array(k);
    rows.forEach((row, i) => {
      counts[labels[i]]++;
      for (let d = 0; d < DIMENSIONS; d++) sums[labels[i] * DIMENSIONS + d] += data[row * DIMENSIONS + d];
    });
    // NOTE: an emptied cluster keeps its previous centroid; it is dropped from the result if it stays empty.
    for (let c = 0; c < k; c++) if (counts[c] > 0) for (let d = 0; d < DIMENSIONS; d++) centroids[c * DIMENSIONS + d] = sums[c * DIMENSIONS + d] / counts[c];
  }
  return { centroids, labels };
}

/** Pairwise Euclidean distances of the sample rows (symmetric m × m). */
function distanceMatrix(data: Float64Array, rows: readonly number[]): Float64Array {
  const m = rows.length;
  const distances = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const distance = Math.sqrt(squaredDistance(data, rows[i], data, rows[j]));
      distances[i * m + j] = distance;
      distances[j * m + i] = distance;
    }
  }
  return distances;
}

/** Mean silhouette of labelled points given their pairwise distances (points alone in a cluster score 0). */
export function meanSilhouette(distances: Float64Array, labels: ArrayLike<number>, k: number): number {
  const m = labels.length;
  if (m < 2) return 0;
  const sizes = new Int32Array(k);
  for (let i = 0; i < m; i++) sizes[labels[i]]++;
  let total = 0;
  const sums = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    sums.fill(0);
    for (let j = 0; j < m; j++) sums[labels[j]] += distances[i * m + j];
    const own = labels[i];
    if (sizes[own] < 2) continue;
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[c] / sizes[c]);
    if (b === Infinity) continue;
    const scale = Math.max(a, b);
    total += scale === 0 ? 0 : (b - a) / scale;
  }
  return total / m;
}

/** A short name for the shape of a centroid curve. */
export function describeCurveShape(curve: readonly number[]): string {
  const start = curve[0];
  const at10 = curve[10];
  const at50 = curve[50];
  const end = curve[curve.length - 1];
  let largestRise = 0;
  for (let i = 0; i + 1 < curve.length; i++) largestRise = Math.max(largestRise, curve[i + 1] - curve[i]);
  if (largestRise > 0.02) return 'rewatch bump';
  if (start - at10 >= 0.35) return end >= 0.3 ? 'early drop, then hold' : 'early drop';
  if (end >= 0.6) return 'strong hold';
  if (at50 - end >= 0.2 && at50 - end > 1.5 * (start - at50)) return 'late drop';
  return 'steady decline';
}

/**
 * Groups retention curves by shape. Curves are resampled to 101 points and clamped to 0..1; k-means++ (seeded)
 * is fitted for each k in 2..maxClusters on a deterministic sample, the k with the best mean silhouette wins
 * (ties: fewer clusters), and Lloyd's iterations refine it on all posts. Posts are ordered by id first, so the
 * result does not depend on the input order. 0 posts give no cluster; fewer than 4 give one.
 */
export function clusterRetentionCurves(posts: readonly ClusterInput[], options: ClusteringOptions = {}): ClusteringResult {
  const maxClusters = clamp(Math.floor(options.maxClusters ?? 6), 2, 10);
  const maxIterations = options.maxIterations ?? 100;
  const random = mulberry32(options.seed ?? 1);
  const ordered = [...posts].sort((a, b) => (a.postId < b.postId ? -1 : a.postId > b.postId ? 1 : 0));
  const n = ordered.length;
  if (n === 0) return { clusters: [], silhouette: 0, postsCount: 0 };

  const data = new Float64Array(n * DIMENSIONS);
  ordered.forEach((post, i) => {
    data.set(
      resampleCurve(post.curve).map((v) => clamp(v, 0, 1)),
      i * DIMENSIONS,
    );
  });
  const allRows = ordered.map((_, i) => i);
  if (n < MIN_POSTS_FOR_CLUSTERING) {
    const { centroids, labels } = lloyd(data, allRows, seedCentroids(data, allRows, 1, random), 1);
    return { clusters: buildClusters(ordered, data, centroids, labels), silhouette: 0, postsCount: n };
  }

  const fitRows = shuffled(allRows, random).slice(0, options.fitSampleSize ?? 2000);
  const silhouetteRows = fitRows.slice(0, options.silhouetteSampleSize ?? 1000);
  const distances = distanceMatrix(data, silhouetteRows);
  const silhouetteOf = (centroids: Float64Array) => {
    const k = centroids.length / DIMENSIONS;
    const labels = silhouetteRows.map((row) => nearest(data, row, centroids, k)[0]);
    return meanSilhouette(distances, labels, k);
  };

  let best: { centroids: Float64Array; silhouette: number } | undefined;
  for (let k = 2; k <= Math.min(maxClusters, n - 1); k++) {
    const seeded = seedCentroids(data, fitRows, k, random);
    if (seeded.length / DIMENSIONS < k) break; // fewer distinct curves than k
    const { centroids } = lloyd(data, fitRows, seeded, maxIterations);
    const silhouette = silhouetteOf(centroids);
    if (!best || silhouette > best.silhouette + 1e-12) best = { centroids, silhouette };
  }
  const start = best?.centroids ?? seedCentroids(data, fitRows, 1, random);
  const { centroids, labels } = lloyd(data, allRows, start, maxIterations);
  const clusters = buildClusters(ordered, data, centroids, labels);
  return { clusters, silhouette: clusters.length > 1 ? silhouetteOf(centroids) : 0, postsCount: n };
}

/** Turns labels into clusters: non-empty, largest first, with means, examples and disambiguated labels. */
function buildClusters(posts: readonly ClusterInput[], data: Float64Array, centroids: Float64Array, labels: Int32Array): RetentionClusterResult[] {
  const k = centroids.length / DIMENSIONS;
  const members: number[][] = Array.from({ length: k }, () => []);
  labels.forEach((label, row) => {
    members[label].push(row);
  });
  const clusters = members
    .map((rows, c) => ({ rows, c }))
    .filter(({ rows }) => rows.length > 0)
    .sort((a, b) => b.rows.length - a.rows.length || a.rows[0] - b.rows[0])
    .map(({ rows, c }, clusterIndex): RetentionClusterResult => {
      const centroidCurve = Array.from(centroids.subarray(c * DIMENSIONS, (c + 1) * DIMENSIONS));
      const examples = rows
        .map((row) => ({ row, distance: squaredDistance(data, row, centroids, c) }))
        .sort((a, b) => a.distance - b.distance || a.row - b.row)
        .slice(0, 5);
      return {
        clusterIndex,
        label: describeCurveShape(centroidCurve),
        centroidCurve,
        size: rows.length,
        meanViews: mean(rows.map((row) => posts[row].views)),
        meanCompletionRate: mean(rows.map((row) => posts[row].completionRate)),
        meanFirst3sLoss: mean(rows.map((row) => posts[row].first3sLoss)),
        examplePostIds: examples.map(({ row }) => posts[row].postId),
        memberPostIds: rows.map((row) => posts[row].postId),
      };
    });
  const labelCounts = new Map<string, number>();
  for (const cluster of clusters) labelCounts.set(cluster.label, (labelCounts.get(cluster.label) ?? 0) + 1);
  for (const cluster of clusters) {
    if ((labelCounts.get(cluster.label) ?? 0) > 1) cluster.label += ` (ends at ${Math.round(cluster.centroidCurve[DIMENSIONS - 1] * 100)} %)`;
  }
  return clusters;
}
