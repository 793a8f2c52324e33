// What the report page says to people: counts in the right number, platforms as their brands write them, and a
// sentence instead of an empty chart where a section has no data.
import { expect } from 'chai';
import { brandName } from '../../src/domain/platform.js';
import { plural } from '../../src/domain/plural.js';
import { renderReportPage } from '../../src/report/page.js';

type PageData = Parameters<typeof renderReportPage>[0];

/** A learned day with a few posts but nothing to chart: no retention curves, no scores, one day of history. */
function dayWithoutCurves(): PageData {
  return {
    tenantId: 'acme',
    day: '2026-01-01',
    generatedAt: '2026-01-02T00:00:00.000Z',
    run: { status: 'succeeded', startedAt: '2026-01-02T00:00:00.000Z', finishedAt: null, steps: [], modelVersions: {} },
    report: {
      day: '2026-01-01',
      empty: false,
      summary: '1 post on 1 platform was observed on 2026-01-01.',
      postsAnalysed: 1,
      snapshots: [],
      platforms: [],
      clusters: [],
      worstDropOffs: [],
      bestPerformers: [],
      insights: [],
      recommendations: [],
      trend: { postsAnalysed: 1, completionRate: 0.5, first3sLoss: 0.2, engagementRate: 0.05 },
    },
    history: { points: [], completionRateSlopePerDay: 0, first3sLossSlopePerDay: 0, retentionImproving: false },
    bestTime: { windowStartDay: '2025-12-05', windowEndDay: '2026-01-01', grids: [] },
    virality: { source: 'cold_start_formula', note: 'Scores of the cold-start formula', scores: [] },
  } as unknown as PageData;
}

describe('report wording', () => {
  it('writes counts in the right number', () => {
    expect(plural(1, 'post')).to.equal('1 post');
    expect(plural(0, 'post')).to.equal('0 posts');
    expect(plural('1,234', 'post')).to.equal('1,234 posts');
    expect(plural(2, 'day')).to.equal('2 days');
  });

  it('writes platforms as their brands do', () => {
    expect(['tiktok', 'instagram', 'youtube'].map(brandName)).to.deep.equal(['TikTok', 'Instagram', 'YouTube']);
    expect(brandName('other')).to.equal('other');
  });

  it('says why a section has no chart instead of drawing an empty one', () => {
    const html = renderReportPage(dayWithoutCurves());
    for (const id of ['chart-clusters', 'chart-dropoffs', 'chart-virality', 'chart-history']) expect(html, id).to.not.contain(`id="${id}"`);
    expect(html).to.contain('nothing to cluster').and.to.contain('no drop-off point can be found').and.to.contain('could be scored');
    expect(html).to.contain('1 post ·').and.not.to.contain('1 posts');
  });
});
