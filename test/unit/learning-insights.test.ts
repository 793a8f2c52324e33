// Insights (the day's descriptive findings): planted effects are found with their numbers; pure noise yields nothing.
import { expect } from 'chai';
import { discoverInsights, type InsightRow } from '../../src/learning/insights/insights.js';
import { bestPerformers, comparePlatforms } from '../../src/learning/insights/platform-comparison.js';
import { clamp, gaussian, mulberry32, type Random } from '../../src/learning/math/stats.js';

const PLATFORMS = ['tiktok', 'instagram', 'youtube'];
const DURATIONS = [8, 20, 45, 90];

interface Planted {
  /** Completion rate of 15-30 s videos (others: 0.25). */
  shortCompletion?: number;
  /** First-3-s loss on tiktok (others: 0.3). */
  tiktokLoss?: number;
}

function world(seed: number, n: number, planted: Planted = {}): InsightRow[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[], r: Random) => items[Math.floor(r() * items.length)];
  return Array.from({ length: n }, (_, i) => {
    const platform = pick(PLATFORMS, random);
    const durationS = pick(DURATIONS, random) + random() * 5;
    const completion = durationS >= 15 && durationS < 30 && planted.shortCompletion ? planted.shortCompletion : 0.25;
    const loss = platform === 'tiktok' && planted.tiktokLoss ? planted.tiktokLoss : 0.3;
    return {
      postId: `p${i}`,
      platform,
      publishHour: Math.floor(random() * 24),
      durationS,
      ctaInFirst5s: random() < 0.5,
      captionLengthChars: Math.floor(random() * 400),
      qualityScore: random(),
      aestheticScore: random(),
      hashtagCount: Math.floor(random() * 12),
      outcomes: {
        completionRate: clamp(completion + 0.1 * gaussian(random), 0, 1),
        logViews: 7 + gaussian(random),
        first3sLoss: clamp(loss + 0.1 * gaussian(random), 0, 1),
        engagementRate: clamp(0.05 + 0.02 * gaussian(random), 0, 1),
      },
    };
  });
}

describe('learning insights', () => {
  const rows = world(42, 2000, { shortCompletion: 0.5, tiktokLoss: 0.7 });
  const insights = discoverInsights(rows);

  it('finds a planted duration band that completes twice as often, with numbers close to the planted ones', () => {
    const finding = insights.find((i) => i.feature === 'duration_s' && i.bucket === '15-30' && i.outcome === 'completion_rate');
    expect(finding, 'the planted finding').to.not.equal(undefined);
    expect(finding!.bucketMean).to.be.closeTo(0.5, 0.02);
    expect(finding!.restMean).to.be.closeTo(0.25, 0.02);
    expect(finding!.liftFraction).to.be.closeTo(1, 0.12);
    expect(finding!.effectSize).to.be.greaterThan(1.5);
    expect(finding!.sampleSize + finding!.restSampleSize).to.equal(2000);
    expect(finding!.sampleSize).to.be.closeTo(500, 60);
    expect(finding!.confidence).to.be.greaterThan(0.999);
    expect(finding!.smallSample).to.equal(false);
    expect(finding!.text).to.match(/^Videos of 15-30 s have a completion rate of 5\d % vs 2\d % for other posts \(\+\d+ %/);
  });

  it('reports only the planted features and outcomes, strongest first', () => {
    expect(insights.length).to.be.greaterThan(0);
    for (const insight of insights) {
      const planted =
        (insight.feature === 'duration_s' && insight.outcome === 'completion_rate') || (insight.feature === 'platform' && insight.outcome === 'first_3s_loss');
      expect(planted, insight.text).to.equal(true);
    }
    const sizes = insights.map((i) => Math.abs(i.effectSize));
    expect(sizes).to.deep.equal([...sizes].sort((a, b) => b - a));
  });

  it('reports no effect on pure noise, across seeds (and would without false-discovery control)', () => {
    let found = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const noise = world(seed, 600);
      found += discoverInsights(noise).length;
    }
    expect(found).to.equal(0);
    // Without the control, testing ~100 comparisons per world surfaces plenty of "findings".
    expect(discoverInsights(world(1, 600), { falseDiscoveryRate: 1, minEffectSize: 0 }).length).to.be.greaterThan(50);
  });

  it('sees no difference between groups of one constant value (rounding in the means is not an effect)', () => {
    const constant = world(9, 600, { shortCompletion: 0.5 }).map((row) => ({ ...row, outcomes: { ...row.outcomes, engagementRate: 0.05 } }));
    expect(discoverInsights(constant).filter((i) => i.outcome === 'engagement_rate')).to.deep.equal([]);
  });

  it('labels a small bucket as a hint', () => {
    const rows = world(3, 400).map((row, i) => (i < 12 ? { ...row, platform: 'x', outcomes: { ...row.outcomes, completionRate: 0.9 } } : row));
    const finding = discoverInsights(rows).find((i) => i.feature === 'platform' && i.bucket === 'x' && i.outcome === 'completion_rate');
    expect(finding?.smallSample).to.equal(true);
    expect(finding?.text).to.match(/Small sample: a hint, not a fact\.$/);
  });

  it('compares platforms and picks best performers', () => {
    const comparison = comparePlatforms([
      { platform: 'tiktok', views: 300, completionRate: 0.2, first3sLoss: 0.7, engagementRate: 0.1 },
      { platform: 'tiktok', views: 100, completionRate: 0.4, first3sLoss: 0.5, engagementRate: 0.2 },
      { platform: 'youtube', views: 50, completionRate: 0.6, first3sLoss: 0.2, engagementRate: 0.05 },
    ]);
    expect(comparison.map((c) => c.platform)).to.deep.equal(['tiktok', 'youtube']);
    expect(comparison[0]).to.deep.include({ postsCount: 2, meanViews: 200, meanCompletionRate: 0.30000000000000004 });
    expect(comparison[0].viewsIndex).to.be.closeTo(200 / 150, 1e-12);
    expect(comparison[1].viewsIndex).to.be.closeTo(50 / 150, 1e-12);
    const best = bestPerformers(
      [
        { postId: 'b', views: 5 },
        { postId: 'a', views: 5 },
        { postId: 'c', views: 9 },
      ],
      2,
    );
    expect(best.map((p) => p.postId)).to.deep.equal(['c', 'a']);
  });
});
