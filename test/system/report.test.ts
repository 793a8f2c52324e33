// The learning report page, served at GET /report by a real server and rendered in headless Chromium: every chart
// is drawn with data, no console errors, no network, text escaped, and the bearer token required once tokens exist.
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { seedDemo } from '../../src/demo/seed.js';
import { escapeHtml, renderReportPage, scriptJson } from '../../src/report/page.js';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';
import { BACKEND, startTestServer, uniq, type TestServer } from '../helpers/server.js';

describe(`report page (${BACKEND})`, () => {
  let server: TestServer;
  let browser: Browser | undefined;
  let tenant: string;
  let token: string;
  let day: string;
  let base: string;

  before(async () => {
    server = await startTestServer();
    base = `http://127.0.0.1:${server.running.httpPort}`;
    tenant = uniq('report');
    const db = server.running.db;
    const summary = await seedDemo(server.running.services, server.config, { tenantId: tenant, days: 4, postsPerDay: 30 }, { phase: () => () => undefined });
    const learning = server.running.services.learning;
    // An experiment the backfilled days look at: alternate posts of the first day in two variants.
    const experiments = server.running.services.experiment;
    const experiment = await experiments.create(tenant, {
      name: 'alternate posts',
      hypothesis: '',
      variants: ['A', 'B'],
      primaryMetric: 'views',
      guardrailMetrics: [],
      minimumDetectableEffect: 0.1,
      horizonHours: 24,
      plannedEndDay: '2099-01-01',
      covariateAdjustment: true,
    });
    const assignments = Array.from({ length: 30 }, (_, i) => ({ index: i, postId: `demo-p0-${i}`, variant: i % 2 ? 'B' : 'A' }));
    await experiments.addPosts(tenant, experiment.experimentId, assignments);
    await learning.backfill(tenant, summary.startDay, summary.lastObservedDay, 'all');
    day = summary.lastObservedDay;
    ({ token } = await new TenancyService(new TenancyRepository(db)).createToken(tenant, 'report test'));
  });

  after(async () => {
    await browser?.close();
    if (server) {
      await new TenancyRepository(server.running.db).deleteTokensOf(tenant);
      await server.stop();
    }
  });

  it('requires the bearer token once tokens exist, and names what is wrong', async () => {
    const missing = await fetch(`${base}/report?day=${day}`);
    expect(missing.status).to.equal(401);
    expect(await missing.text()).to.contain('authorization: Bearer');
    const wrong = await fetch(`${base}/report?day=${day}`, { headers: { authorization: 'Bearer stk_nope' } });
    expect(wrong.status).to.equal(401);
    const badDay = await fetch(`${base}/report?day=yesterday`, { headers: { authorization: `Bearer ${token}` } });
    expect(badDay.status).to.equal(400);
    expect(await badDay.text()).to.contain('"yesterday" is not a day in the form YYYY-MM-DD');
    const unlearned = await fetch(`${base}/report?day=2020-01-01`, { headers: { authorization: `Bearer ${token}` } });
    expect(unlearned.status).to.equal(404);
  });

  it('escapes text in the markup and in the embedded data', () => {
    expect(escapeHtml('<img src=x onerror="alert(1)">&\'')).to.equal('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;');
    expect(scriptJson({ s: '</script><script>alert(1)</script>' })).not.to.contain('<');
  });

  it('renders every chart with data in headless Chromium, without console errors or network', async function () {
    if (!existsSync(CHROMIUM)) this.skip(); // CI installs it (scripts/install-test-deps.sh)
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(`console ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => r.url() !== `${base}/report?day=${day}` && problems.push(`request: ${r.url()}`));

    const response = await page.goto(`${base}/report?day=${day}`);
    expect(response?.status()).to.equal(200);
    await page.waitForSelector('body[data-charts-drawn]');
    const charts = await page.evaluate(() => {
      const all = (window as unknown as { reportCharts: Record<string, { canvas: HTMLCanvasElement; data: { datasets: { data: unknown[] }[] } }> })
        .reportCharts;
      return Object.entries(all).map(([id, chart]) => {
        const { width, height } = chart.canvas;
        const pixels = chart.canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return { id, points: chart.data.datasets.map((d) => d.data.length), painted };
      });
    });
    const ids = charts.map((c) => c.id);
    expect(ids).to.include.members([
      'chart-clusters',
      'chart-dropoffs',
      'chart-virality',
      'chart-history',
      'chart-best-time-0',
      'chart-best-time-1',
      'chart-best-time-2',
      'chart-experiment-0',
    ]);
    for (const chart of charts) {
      expect(chart.points.length, chart.id).to.be.greaterThan(0);
      expect(Math.min(...chart.points), chart.id).to.be.greaterThan(0);
      expect(chart.painted, `${chart.id} painted pixels`).to.be.greaterThan(1000);
    }
    expect(await page.textContent('header'))
      .to.contain(tenant)
      .and.to.contain(day);
    // Findings for people: plain sentences first, the statistics behind a toggle.
    const findings = await page.locator('#insights .finding').allTextContents();
    expect(findings.length).to.be.greaterThan(0);
    for (const text of findings) {
      expect(text).to.match(/ (were watched to the end|got|lost|drew) .* other posts \([\d,]+ posts\)\./);
      expect(text).not.to.match(/d = |p = |confidence|log views/);
    }
    expect(await page.locator('#insights details.observations details').count()).to.equal(findings.length);
    // Advice comes first on the page, before the day's observations.
    expect(await page.locator('section').first().getAttribute('id')).to.not.equal('insights');
    expect(await page.locator('#recommendations').count()).to.equal(1);
    // Platforms as the brands write them; distinct cluster names; one number format.
    const platformNames = await page.locator('#platforms tbody td:first-child').allTextContents();
    expect(platformNames).to.include('TikTok').and.to.include('YouTube');
    const clusterNames = await page.locator('#retention tbody td:first-child').allTextContents();
    expect(new Set(clusterNames).size).to.equal(clusterNames.length);
    const visibleText = (await page.locator('header, section').allTextContents()).join(' ');
    expect(visibleText.match(/.{0,40}\d%.{0,20}/g) ?? [], 'percentages written as "12 %"').to.deep.equal([]);
    // Large heatmaps with a colour legend each, in a time zone that can be chosen.
    const heatmapWidths = await page.$$eval('#best-time canvas', (canvases) => canvases.map((c) => c.clientWidth));
    for (const width of heatmapWidths) expect(width).to.be.greaterThan(800);
    expect(await page.locator('#best-time .legend').count()).to.equal(heatmapWidths.length);
    expect(await page.locator('#best-time select[name=tz] option:checked').textContent()).to.equal(
      await page.evaluate(() => JSON.parse(document.getElementById('report-data')!.textContent!).timeZone.chosen),
    );
    expect(await page.locator('#since-yesterday .figure').count()).to.equal(4);
    if (process.env.REPORT_SCREENSHOT) await page.screenshot({ path: process.env.REPORT_SCREENSHOT, fullPage: true });
    expect(problems).to.deep.equal([]);
  });

  it('fits a phone screen (390 × 844) without horizontal overflow', async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    const { chromium } = await import('playwright-core');
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      extraHTTPHeaders: { authorization: `Bearer ${token}` },
    });
    const page = await context.newPage();
    expect((await page.goto(`${base}/report?day=${day}`))?.status()).to.equal(200);
    await page.waitForSelector('body[data-charts-drawn]');
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth, `page is ${scrollWidth}px wide on a ${innerWidth}px screen`).to.be.at.most(innerWidth);
    if (process.env.REPORT_SCREENSHOT) await page.screenshot({ path: process.env.REPORT_SCREENSHOT.replace(/(\.png)?$/, '-phone.png'), fullPage: true });
    await context.close();
  });

  it('draws the heatmaps in a requested time zone, and names a bad one', async () => {
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const chosen = await fetch(`${base}/report?day=${day}&tz=America/New_York`, auth);
    expect(chosen.status).to.equal(200);
    const html = await chosen.text();
    expect(html).to.contain('Weekday × hour in America/New_York').and.to.contain('<option value="America/New_York" selected>');
    const bad = await fetch(`${base}/report?day=${day}&tz=Mars/Olympus`, auth);
    expect(bad.status).to.equal(400);
    expect(await bad.text()).to.contain('tz "Mars/Olympus" is not an IANA time zone');
  });

  it('renders a learned day without data as a page that says so', () => {
    const html = renderReportPage({
      tenantId: '<b>x</b>',
      day: '2026-01-01',
      generatedAt: '2026-01-02T00:00:00.000Z',
      run: { status: 'succeeded', startedAt: '2026-01-02T00:00:00.000Z', finishedAt: null, steps: [], modelVersions: {} },
      report: {
        day: '2026-01-01',
        empty: true,
        summary: 'No metrics were observed on 2026-01-01.',
        postsAnalysed: 0,
        snapshots: [],
        platforms: [],
        clusters: [],
        worstDropOffs: [],
        bestPerformers: [],
        insights: [],
        recommendations: [],
        trend: { postsAnalysed: 0, completionRate: 0, first3sLoss: 0, engagementRate: 0 },
      },
      history: { points: [], completionRateSlopePerDay: 0, first3sLossSlopePerDay: 0, retentionImproving: false },
      bestTime: { windowStartDay: '2025-12-05', windowEndDay: '2026-01-01', grids: [] },
      virality: { source: 'cold_start_formula', note: '', scores: [] },
    });
    expect(html).to.contain('there is nothing to chart').and.to.contain('&lt;b&gt;x&lt;/b&gt;').and.not.to.contain('<b>x</b>');
  });
});
