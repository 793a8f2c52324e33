// Retention clusters: planted shapes are recovered, deterministically, with sensible fallbacks for few posts.
import { expect } from 'chai';
import { clusterRetentionCurves, describeCurveShape, type ClusterInput } from '../../src/learning/retention/clustering.js';
import { gaussian, mulberry32, shuffled, type Random } from '../../src/learning/math/stats.js';

type Shape = 'early' | 'steady' | 'hold';

/** A noisy, non-increasing curve of a planted shape. */
function plantedCurve(shape: Shape, random: Random): number[] {
  const curve: number[] = [];
  for (let p = 0; p <= 100; p++) {
    const x = p / 100;
    let value: number;
    if (shape === 'early') value = p <= 10 ? 1 - 0.065 * p : 0.35 - 0.15 * (x - 0.1);
    else if (shape === 'steady') value = 1 - 0.7 * x;
    else value = 1 - 0.2 * x;
    curve.push(value + 0.02 * gaussian(random));
  }
  for (let p = 1; p <= 100; p++) curve[p] = Math.min(curve[p], curve[p - 1]);
  return curve;
}

function plantedWorld(seed: number, sizes: Record<Shape, number>): Array<ClusterInput & { shape: Shape }> {
  const random = mulberry32(seed);
  const posts: Array<ClusterInput & { shape: Shape }> = [];
  for (const shape of Object.keys(sizes) as Shape[]) {
    for (let i = 0; i < sizes[shape]; i++) {
      const curve = plantedCurve(shape, random);
      posts.push({
        postId: `${shape}-${String(i).padStart(4, '0')}`,
        curve,
        views: shape === 'hold' ? 1000 : 100,
        completionRate: curve[100],
        first3sLoss: 1 - curve[10],
        shape,
      });
    }
  }
  return posts;
}

describe('learning clustering', () => {
  it('finds three planted shapes, largest first, with pure members and matching labels', () => {
    const posts = plantedWorld(7, { early: 120, steady: 90, hold: 60 });
    const result = clusterRetentionCurves(posts, { maxClusters: 6 });
    expect(result.postsCount).to.equal(270);
    expect(result.clusters.map((c) => c.size)).to.deep.equal([120, 90, 60]);
    expect(result.clusters.map((c) => c.label)).to.deep.equal(['early drop', 'steady decline', 'strong hold']);
    expect(result.silhouette).to.be.greaterThan(0.5);
    const shapeOf = new Map(posts.map((p) => [p.postId, p.shape]));
    for (const cluster of result.clusters) {
      expect(new Set(cluster.memberPostIds.map((id) => shapeOf.get(id))).size).to.equal(1);
      expect(cluster.examplePostIds).to.have.length(5);
      expect(cluster.centroidCurve).to.have.length(101);
      expect(cluster.memberPostIds).to.include.members(cluster.examplePostIds);
    }
    expect(result.clusters[2].meanViews).to.equal(1000);
    expect(result.clusters[0].meanFirst3sLoss).to.be.closeTo(0.65, 0.03);
    expect(result.clusters[0].centroidCurve[10]).to.be.closeTo(0.35, 0.03);
  });

  it('is deterministic and independent of the input order', () => {
    const posts = plantedWorld(11, { early: 50, steady: 50, hold: 50 });
    const first = clusterRetentionCurves(posts);
    const again = clusterRetentionCurves(posts);
    const reordered = clusterRetentionCurves(shuffled(posts, mulberry32(3)));
    expect(again).to.deep.equal(first);
    expect(reordered).to.deep.equal(first);
  });

  it('samples deterministically when there are more posts than the fit sample', () => {
    const posts = plantedWorld(5, { early: 900, steady: 700, hold: 400 });
    const result = clusterRetentionCurves(posts, { fitSampleSize: 300, silhouetteSampleSize: 200 });
    expect(result.clusters.map((c) => c.size)).to.deep.equal([900, 700, 400]);
    expect(clusterRetentionCurves(posts, { fitSampleSize: 300, silhouetteSampleSize: 200 })).to.deep.equal(result);
  });

  it('falls back to no cluster without posts and one cluster with fewer than 4', () => {
    expect(clusterRetentionCurves([])).to.deep.equal({ clusters: [], silhouette: 0, postsCount: 0 });
    const three = plantedWorld(1, { early: 1, steady: 1, hold: 1 });
    const result = clusterRetentionCurves(three);
    expect(result.clusters).to.have.length(1);
    expect(result.clusters[0].size).to.equal(3);
    expect(result.silhouette).to.equal(0);
  });

  it('copes with identical curves (fewer distinct curves than k)', () => {
    const curve = Array.from({ length: 101 }, (_, p) => 1 - p / 200);
    const posts = Array.from({ length: 6 }, (_, i) => ({ postId: `p${i}`, curve, views: 1, completionRate: 0.5, first3sLoss: 0.1 }));
    const result = clusterRetentionCurves(posts);
    expect(result.clusters.reduce((sum, c) => sum + c.size, 0)).to.equal(6);
    expect(result.clusters[0].size).to.equal(6);
  });

  it('names shapes', () => {
    const through = (f: (x: number) => number) => Array.from({ length: 101 }, (_, p) => f(p / 100));
    expect(describeCurveShape(through((x) => (x < 0.1 ? 1 - 5 * x : 0.5)))).to.equal('early drop, then hold');
    expect(describeCurveShape(through((x) => (x < 0.7 ? 1 - 0.1 * x : 0.93 - 2 * (x - 0.7))))).to.equal('late drop');
    expect(describeCurveShape(through((x) => (x < 0.5 ? 1 - x : 0.6)))).to.equal('rewatch bump');
  });
});
