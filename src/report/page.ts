// Renders the learning report page: one self-contained HTML file (data, Chart.js and styles inlined; no network).
import type { Insight } from '../learning/insights/insights.js';
import { adviceSection } from './advice-section.js';
import { chartLibraryScripts } from './assets.js';
import { PAGE_SCRIPT } from './page-script.js';
import type { ReportPageData } from './report-data.js';
import { brandName, distinctClusterNames, escapeHtml, formatCount, formatPercent, formatPoints, formatSignedPercent, plainInsight } from './wording.js';
import { extent } from '../domain/numbers.js';
import { plural } from '../domain/plural.js';

export { escapeHtml } from './wording.js';

/** JSON that is safe inside a <script> element: no "<" (so no "</script>"), no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Blocks every network fetch: the page only runs its own inline scripts and styles. */
export const PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const percent = formatPercent;
const signedPercent = formatSignedPercent;

const STYLE = `
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #111827; background: #f9fafb; overflow-wrap: anywhere; }
  header, section { max-width: 1100px; margin: 0 auto; padding: 12px 24px; }
  header { padding-top: 24px; }
  h1 { margin: 0 0 4px; font-size: 26px; } h2 { font-size: 19px; margin: 8px 0; }
  .meta, .note { color: #4b5563; font-size: 13px; }
  .summary { font-size: 16px; background: #fff; border-left: 4px solid #2563eb; padding: 10px 14px; }
  section { background: #fff; margin-top: 14px; border-radius: 8px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  .chart { position: relative; height: 300px; }
  .heatmaps { display: grid; grid-template-columns: minmax(0, 1fr); gap: 18px; }
  .heatmaps figure { margin: 0; min-width: 0; }
  .heatmaps .chart { height: 340px; }
  .experiments { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(330px, 100%), 1fr)); gap: 14px; }
  .legend { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; font-size: 13px; color: #374151; margin: 6px 0; }
  .legend .scale { width: 180px; max-width: 40vw; height: 12px; border-radius: 3px; background: linear-gradient(to right, rgba(37,99,235,.05), rgba(37,99,235,1)); }
  .legend .best { display: inline-block; width: 14px; height: 12px; border: 3px solid #f59e0b; box-sizing: border-box; vertical-align: middle; }
  form.tz { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; font-size: 14px; margin: 6px 0; }
  .table-wrap { overflow-x: auto; }
  .table-wrap table { min-width: 560px; overflow-wrap: normal; }
  details { font-size: 13px; color: #4b5563; margin: 2px 0 10px; } summary { cursor: pointer; }
  .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
  .figure { background: #f3f4f6; border-radius: 6px; padding: 8px 10px; } .figure b { font-size: 20px; display: block; }
  .up { color: #15803d; } .down { color: #b91c1c; }
  @media (max-width: 600px) { header, section { padding: 10px 12px; } .heatmaps .chart { height: 300px; } }
  .chart.small { height: 200px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 8px; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
  th { color: #374151; font-weight: 600; }
  .yes { color: #15803d; font-weight: 600; } .hint { color: #b45309; }
  .empty { color: #6b7280; font-style: italic; }
  .advice li { margin-bottom: 8px; } details.observations > summary h2 { display: inline; }
  li { margin-bottom: 6px; }
`;

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="empty">Nothing to show for this day.</p>';
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function evidence(insight: Insight): string {
  const strength = insight.significant
    ? '<span class="yes">significant</span>'
    : insight.smallSample
      ? '<span class="hint">small sample</span>'
      : 'not significant';
  return (
    escapeHtml(
      `${insight.sampleSize} vs ${insight.restSampleSize} posts, lift ${signedPercent(insight.liftFraction)}, d = ${insight.effectSize.toFixed(2)}, p = ${insight.pValue.toPrecision(2)}, `,
    ) + strength
  );
}

/** A finding for people: the plain sentence, then its statistics behind a toggle. */
function finding(insight: Insight): string {
  return `<p class="finding">${escapeHtml(plainInsight(insight))}</p>
    <details><summary>Statistics</summary>${escapeHtml(insight.text)}<br>${evidence(insight)}</details>`;
}

/** The day against the learned day before it. */
function sinceYesterday(data: ReportPageData): string {
  const since = data.sinceYesterday;
  if (!since) return '<section id="since-yesterday"><h2>Since yesterday</h2><p class="empty">No learned day before this one to compare with.</p></section>';
  const item = (label: string, today: string, change: string, better: boolean | undefined) =>
    `<div class="figure">${escapeHtml(label)}<b>${escapeHtml(today)}</b><span class="${better === undefined ? '' : better ? 'up' : 'down'}">${escapeHtml(change)}</span></div>`;
  const { today, previous } = since;
  const posts = today.postsAnalysed - previous.postsAnalysed;
  const delta = (key: 'completionRate' | 'first3sLoss' | 'engagementRate') => today[key] - previous[key];
  return `<section id="since-yesterday"><h2>Since yesterday</h2>
  <p class="note">${escapeHtml(data.day)} against ${escapeHtml(since.previousDay)}.</p>
  <div class="figures">
    ${item('Posts analysed', formatCount(today.postsAnalysed), `${posts >= 0 ? '+' : '−'}${formatCount(Math.abs(posts))}`, undefined)}
    ${item('Watched to the end', percent(today.completionRate), formatPoints(delta('completionRate')), delta('completionRate') >= 0)}
    ${item('Lost in the first 3 s', percent(today.first3sLoss), formatPoints(delta('first3sLoss')), delta('first3sLoss') <= 0)}
    ${item('Engagement', percent(today.engagementRate), formatPoints(delta('engagementRate')), delta('engagementRate') >= 0)}
  </div></section>`;
}

/** The heatmaps' time-zone choice (a GET form to the same page), when the page is served. */
function timeZoneForm(data: ReportPageData): string {
  const zones = data.timeZone;
  if (!zones) return '';
  const options = zones.options.map((z) => `<option value="${escapeHtml(z)}"${z === zones.chosen ? ' selected' : ''}>${escapeHtml(z)}</option>`).join('');
  return `<form class="tz" method="get"><input type="hidden" name="day" value="${escapeHtml(data.day)}">
    <label>Time zone <select name="tz">${options}</select></label><button type="submit">Show</button></form>`;
}

/** The colour scale of a heatmap: from its lowest to its highest estimate, in views. */
function heatmapLegend(cells: ReportPageData['bestTime']['grids'][number]['cells']): string {
  const values = cells.map((c) => c.shrunkEstimate);
  const { min, max } = extent(values);
  const low = values.length ? Math.expm1(min) : 0;
  const high = values.length ? Math.expm1(max) : 0;
  return `<div class="legend"><span>≈ ${formatCount(low)} views</span><span class="scale"></span><span>≈ ${formatCount(high)} views</span>
    <span><span class="best"></span> best slots</span></div>`;
}

function sections(data: ReportPageData, clusterNames: string[], withTimeZoneForm: boolean): string {
  const r = data.report;
  const clusters = table(
    ['cluster', 'posts', 'completion', 'lost in first 3 s', 'mean views', 'examples'],
    r.clusters.map((c, i) => [
      escapeHtml(clusterNames[i]),
      formatCount(c.size),
      percent(c.meanCompletionRate),
      percent(c.meanFirst3sLoss),
      formatCount(c.meanViews),
      escapeHtml(c.examplePostIds.join(', ')),
    ]),
  );
  const dropOffs = table(
    ['post', 'platform', 'lost in first 3 s', 'drop-off points (position: viewers lost)'],
    r.worstDropOffs.map((p) => [
      escapeHtml(p.postId),
      escapeHtml(brandName(p.platform)),
      percent(p.first3sLoss),
      escapeHtml(
        p.dropOffPoints.map((d) => `${d.positionS.toFixed(1)} s (${d.positionPercent.toFixed(0)} %): ${percent(d.lossFraction)}`).join('; ') ||
          'none beyond the intro',
      ),
    ]),
  );
  const heatmaps = data.bestTime.grids
    .map((g, i) => {
      const slots = g.topSlots.map((s) => `${WEEKDAYS[s.weekday - 1]} ${String(s.hour).padStart(2, '0')}:00`).join(', ') || 'not enough posts';
      return `<figure><figcaption><b>${escapeHtml(brandName(g.platform))}</b> · ${plural(formatCount(g.sampleSize), 'post')} · best: ${escapeHtml(slots)}${g.confidence < 0.5 ? ' · few posts per slot: a rough guide' : ''}</figcaption>
        ${heatmapLegend(g.cells)}
        <div class="chart"><canvas id="chart-best-time-${i}" data-platform="${escapeHtml(g.platform)}"></canvas></div></figure>`;
    })
    .join('\n');
  const insights = r.insights.length ? r.insights.map(finding).join('\n') : '<p class="empty">No finding stands out on this day.</p>';
  const platforms = table(
    ['platform', 'posts', 'mean views', 'views index', 'completion', 'lost in first 3 s', 'engagement'],
    r.platforms.map((p) => [
      escapeHtml(brandName(p.platform)),
      formatCount(p.postsCount),
      formatCount(p.meanViews),
      p.viewsIndex.toFixed(2),
      percent(p.meanCompletionRate),
      percent(p.meanFirst3sLoss),
      percent(p.meanEngagementRate),
    ]),
  );
  const experiments = (data.experiments ?? [])
    .map(
      (
        e,
        i,
      ) => `<figure><figcaption><b>${escapeHtml(e.name)}</b> · ${escapeHtml(e.primaryMetric.replace(/_/g, ' '))} · ${escapeHtml(e.decision.replace(/_/g, ' '))}: ${escapeHtml(e.reason)}</figcaption>
        <div class="chart small"><canvas id="chart-experiment-${i}"></canvas></div></figure>`,
    )
    .join('\n');
  const h = data.history;
  const trendText =
    h.points.length >= 2
      ? `Completion ${h.completionRateSlopePerDay >= 0 ? 'rises' : 'falls'} by ${(Math.abs(h.completionRateSlopePerDay) * 100).toFixed(2)} points a day; early loss ${h.first3sLossSlopePerDay <= 0 ? 'falls' : 'rises'} by ${(Math.abs(h.first3sLossSlopePerDay) * 100).toFixed(2)} points a day${h.retentionImproving ? ': retention is improving' : ''}.`
      : 'One learned day so far: the trend needs at least two.';
  return `
${adviceSection(r.recommendations)}
<section id="retention"><h2>Retention curves per cluster</h2>
  <p class="note">Posts of the day clustered by the shape of their retention curve; each line is a cluster's centroid.</p>
  ${chartOrWhy('chart-clusters', r.clusters.length > 0, 'No post of this day has a retention curve yet, so there is nothing to cluster: curves arrive with the retention records (retention_curve).')}${clusters}</section>
<section id="drop-offs"><h2>Drop-off points</h2>
  <p class="note">The ${r.worstDropOffs.length === 1 ? 'post' : `${r.worstDropOffs.length} posts`} that lost the most viewers in the first 3 s, and where in the video viewers left.</p>
  ${chartOrWhy('chart-dropoffs', r.worstDropOffs.length > 0, 'No post of this day has a retention curve yet, so no drop-off point can be found.')}${dropOffs}</section>
<section id="best-time"><h2>Best time to post</h2>
  <p class="note">Weekday × hour in ${escapeHtml(data.timeZone?.chosen ?? data.bestTime.grids[0]?.timeZone ?? 'UTC')}: darker means more views (estimates pulled toward the platform's average where there are few posts), from the posts of ${escapeHtml(data.bestTime.windowStartDay)} to ${escapeHtml(data.bestTime.windowEndDay)}; outlined cells are the best slots.</p>
  ${withTimeZoneForm ? timeZoneForm(data) : ''}
  <div class="heatmaps">${heatmaps || '<p class="empty">No posts in the window.</p>'}</div></section>
<section id="virality"><h2>Virality score distribution</h2>
  <p class="note">${escapeHtml(data.virality.note)} (${plural(data.virality.scores.length, 'post')})</p>
  ${chartOrWhy('chart-virality', data.virality.scores.length > 0, 'No post of this day could be scored: scores need registered content with its features.')}${
    data.virality.explanation
      ? `<p class="note">${escapeHtml(data.virality.explanation.title)}:</p><ul>${data.virality.explanation.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
      : ''
  }</section>
${
  experiments
    ? `<section id="experiments"><h2>Experiments</h2>
  <p class="note">Effect of each variant vs the control on the primary metric, with its always-valid 95 % interval, at each daily look.</p>
  <div class="experiments">${experiments}</div></section>`
    : ''
}
<section id="insights"><details class="observations" open><summary><h2>Observations of the day</h2></summary>
  <p class="note">What stood out among the day's posts, compared with the other posts of the day. These are observations, not advice: posts differ in more than one way at once.</p>${insights}</details></section>
<section id="platforms"><h2>Platforms</h2>${platforms}</section>
<section id="history"><h2>Learning history</h2><p class="note">${escapeHtml(trendText)}</p>
  ${h.points.length >= 2 ? '<div class="chart"><canvas id="chart-history"></canvas></div>' : ''}</section>`;
}

/** A chart, or (when it would be empty) one sentence saying why there is none. */
function chartOrWhy(id: string, hasData: boolean, why: string): string {
  return hasData ? `<div class="chart"><canvas id="${id}"></canvas></div>` : `<p class="empty">${escapeHtml(why)}</p>`;
}

/** How the page is rendered: `timeZoneChoice` adds the heatmaps' time-zone form (the served page; a file has none). */
export interface RenderOptions {
  timeZoneChoice?: boolean;
}

/** The whole page as one HTML string. */
export function renderReportPage(data: ReportPageData, options: RenderOptions = {}): string {
  const run = data.run;
  // The browser script reads the same distinct cluster names as the table.
  const clusterNames = distinctClusterNames(data.report.clusters);
  const pageData = { ...data, clusterNames };
  const scripts = chartLibraryScripts()
    .map((s) => `<script>${s}</script>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(PAGE_CSP)}">
<title>Learning report · ${escapeHtml(data.tenantId)} · ${escapeHtml(data.day)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Learning report</h1>
  <p class="meta">tenant <b>${escapeHtml(data.tenantId)}</b> · day <b>${escapeHtml(data.day)}</b> (UTC) · run ${escapeHtml(run.status)}${run.finishedAt ? ` at ${escapeHtml(run.finishedAt)}` : ''} · ${plural(formatCount(data.report.postsAnalysed), 'post')} · page generated ${escapeHtml(data.generatedAt)}</p>
  <p class="summary">${escapeHtml(data.report.summary)}</p>
</header>
${data.report.empty ? '<section><p class="empty">No metrics were observed on this day: there is nothing to chart.</p></section>' : `${sinceYesterday(data)}${sections(data, clusterNames, options.timeZoneChoice ?? false)}`}
<script type="application/json" id="report-data">${scriptJson(pageData)}</script>
${scripts}
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
