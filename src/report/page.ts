// Renders the learning report page: one self-contained HTML file (data, Chart.js and styles inlined; no network).
import type { Insight } from '../learning/insights/insights.js';
import { chartLibraryScripts } from './assets.js';
import { PAGE_SCRIPT } from './page-script.js';
import type { ReportPageData } from './report-data.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

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
const percent = (v: number) => `${(v * 100).toFixed(1)} %`;
const signedPercent = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(0)} %`;

const STYLE = `
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #111827; background: #f9fafb; }
  header, section { max-width: 1100px; margin: 0 auto; padding: 12px 24px; }
  header { padding-top: 24px; }
  h1 { margin: 0 0 4px; font-size: 26px; } h2 { font-size: 19px; margin: 8px 0; }
  .meta, .note { color: #4b5563; font-size: 13px; }
  .summary { font-size: 16px; background: #fff; border-left: 4px solid #2563eb; padding: 10px 14px; }
  section { background: #fff; margin-top: 14px; border-radius: 8px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  .chart { position: relative; height: 300px; }
  .heatmaps { display: grid; grid-template-columns: repeat(auto-fit, minmax(330px, 1fr)); gap: 14px; }
  .heatmaps .chart { height: 230px; }
  .chart.small { height: 200px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 8px; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
  th { color: #374151; font-weight: 600; }
  .yes { color: #15803d; font-weight: 600; } .hint { color: #b45309; }
  .empty { color: #6b7280; font-style: italic; }
  li { margin-bottom: 6px; }
`;

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="empty">Nothing to show for this day.</p>';
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
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

function sections(data: ReportPageData): string {
  const r = data.report;
  const clusters = table(
    ['cluster', 'posts', 'completion', 'lost in first 3 s', 'mean views', 'examples'],
    r.clusters.map((c) => [
      escapeHtml(c.label),
      String(c.size),
      percent(c.meanCompletionRate),
      percent(c.meanFirst3sLoss),
      String(Math.round(c.meanViews)),
      escapeHtml(c.examplePostIds.join(', ')),
    ]),
  );
  const dropOffs = table(
    ['post', 'platform', 'lost in first 3 s', 'drop-off points (position: viewers lost)'],
    r.worstDropOffs.map((p) => [
      escapeHtml(p.postId),
      escapeHtml(p.platform),
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
      return `<figure><figcaption><b>${escapeHtml(g.platform)}</b> · ${g.sampleSize} posts · confidence ${g.confidence.toFixed(2)} · best: ${escapeHtml(slots)}</figcaption>
        <div class="chart"><canvas id="chart-best-time-${i}" data-platform="${escapeHtml(g.platform)}"></canvas></div></figure>`;
    })
    .join('\n');
  const insights = table(
    ['finding', 'evidence'],
    r.insights.map((i) => [escapeHtml(i.text), evidence(i)]),
  );
  const recommendations = r.recommendations.length
    ? `<ul>${r.recommendations.map((rec) => `<li><b>${escapeHtml(rec.text)}</b> <span class="note">(${escapeHtml(rec.platform ?? 'all platforms')}, aim for ${escapeHtml(rec.targetValue)}, expected ${escapeHtml(signedPercent(rec.expectedLiftFraction))} ${escapeHtml(rec.outcome.replace(/_/g, ' '))})</span><br><span class="note">evidence: ${escapeHtml(rec.evidence.text)} — ${evidence(rec.evidence)}</span></li>`).join('\n')}</ul>`
    : '<p class="empty">No recommendation is backed by enough evidence on this day.</p>';
  const platforms = table(
    ['platform', 'posts', 'mean views', 'views index', 'completion', 'lost in first 3 s', 'engagement'],
    r.platforms.map((p) => [
      escapeHtml(p.platform),
      String(p.postsCount),
      String(Math.round(p.meanViews)),
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
<section id="retention"><h2>Retention curves per cluster</h2>
  <p class="note">Posts of the day clustered by the shape of their retention curve; each line is a cluster's centroid.</p>
  <div class="chart"><canvas id="chart-clusters"></canvas></div>${clusters}</section>
<section id="drop-offs"><h2>Drop-off points</h2>
  <p class="note">The ${r.worstDropOffs.length} posts that lost the most viewers in the first 3 s, and where in the video viewers left.</p>
  <div class="chart"><canvas id="chart-dropoffs"></canvas></div>${dropOffs}</section>
<section id="best-time"><h2>Best time to post</h2>
  <p class="note">Weekday × hour, darker = more views (shrunk toward the platform mean where there are few posts), from the posts of ${escapeHtml(data.bestTime.windowStartDay)} .. ${escapeHtml(data.bestTime.windowEndDay)}.</p>
  <div class="heatmaps">${heatmaps || '<p class="empty">No posts in the window.</p>'}</div></section>
<section id="virality"><h2>Virality score distribution</h2>
  <p class="note">${escapeHtml(data.virality.note)} (${data.virality.scores.length} posts)</p>
  <div class="chart"><canvas id="chart-virality"></canvas></div>${
    data.virality.explanation
      ? `<p class="note">${escapeHtml(data.virality.explanation.title)}:</p><ul>${data.virality.explanation.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
      : ''
  }</section>
${
  experiments
    ? `<section id="experiments"><h2>Experiments</h2>
  <p class="note">Effect of each variant vs the control on the primary metric, with its always-valid 95 % interval, at each daily look.</p>
  <div class="heatmaps">${experiments}</div></section>`
    : ''
}
<section id="insights"><h2>Insights</h2>${insights}</section>
<section id="recommendations"><h2>Recommendations</h2>${recommendations}</section>
<section id="platforms"><h2>Platforms</h2>${platforms}</section>
<section id="history"><h2>Learning history</h2><p class="note">${escapeHtml(trendText)}</p>
  <div class="chart"><canvas id="chart-history"></canvas></div></section>`;
}

/** The whole page as one HTML string. */
export function renderReportPage(data: ReportPageData): string {
  const run = data.run;
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
  <p class="meta">tenant <b>${escapeHtml(data.tenantId)}</b> · day <b>${escapeHtml(data.day)}</b> (UTC) · run ${escapeHtml(run.status)}${run.finishedAt ? ` at ${escapeHtml(run.finishedAt)}` : ''} · ${data.report.postsAnalysed} posts · page generated ${escapeHtml(data.generatedAt)}</p>
  <p class="summary">${escapeHtml(data.report.summary)}</p>
</header>
${data.report.empty ? '<section><p class="empty">No metrics were observed on this day: there is nothing to chart.</p></section>' : sections(data)}
<script type="application/json" id="report-data">${scriptJson(data)}</script>
${scripts}
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
