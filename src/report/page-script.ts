// The browser side of the report page: reads the embedded JSON and draws every chart with Chart.js.
// Kept as plain JavaScript text (it runs in the page, not in Node); every text reaches the page through Chart.js
// (drawn on canvas), never through innerHTML.

export const PAGE_SCRIPT = String.raw`
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  // The day's observations start collapsed on a phone: the advice comes first.
  const observations = document.querySelector('details.observations');
  if (observations && window.matchMedia && window.matchMedia('(max-width: 600px)').matches) observations.open = false;
  if (window.ChartMatrix) Chart.register(window.ChartMatrix.MatrixController, window.ChartMatrix.MatrixElement);
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';
  Chart.defaults.maintainAspectRatio = false;
  const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
  const platformColour = {};
  const colourOf = (platform) => (platformColour[platform] ??= palette[Object.keys(platformColour).length % palette.length]);
  const pct = (v) => Math.round(v * 1000) / 10;
  const charts = {};
  const make = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas) charts[id] = new Chart(canvas, config);
  };
  const axis = (title, extra = {}) => ({ title: { display: true, text: title }, ...extra });
  const report = data.report;
  const brand = (platform) => (data.platformNames || {})[platform] || platform;
  const clusterName = (cluster, i) => (data.clusterNames || [])[i] || cluster.label;

  // Retention curves per cluster: the centroid of each cluster, % of viewers still watching.
  make('chart-clusters', {
    type: 'line',
    data: {
      datasets: report.clusters.map((c, i) => ({
        label: clusterName(c, i) + ' (' + c.size.toLocaleString('en-US') + (c.size === 1 ? ' post)' : ' posts)'),
        data: c.centroidCurve.map((v, j) => ({ x: (j * 100) / (c.centroidCurve.length - 1), y: pct(v) })),
        borderColor: palette[i % palette.length],
        backgroundColor: palette[i % palette.length],
        pointRadius: 0,
        borderWidth: 2,
      })),
    },
    options: { parsing: false, scales: { x: axis('% of the video', { type: 'linear', min: 0, max: 100 }), y: axis('% still watching', { min: 0, max: 100 }) } },
  });

  // Drop-off points of the posts that lost the most viewers early: where (x) and how many left (y).
  const byPlatform = {};
  for (const post of report.worstDropOffs) {
    const points = post.dropOffPoints.length ? post.dropOffPoints : [{ positionPercent: (300 / post.durationS) / 2, lossFraction: post.first3sLoss }];
    for (const d of points) (byPlatform[post.platform] ??= []).push({ x: d.positionPercent, y: pct(d.lossFraction), post: post.postId });
  }
  make('chart-dropoffs', {
    type: 'scatter',
    data: { datasets: Object.entries(byPlatform).map(([platform, points]) => ({ label: brand(platform), data: points, backgroundColor: colourOf(platform), pointRadius: 5 })) },
    options: {
      scales: { x: axis('position in the video (%)', { min: 0, max: 100 }), y: axis('viewers lost (%)', { min: 0 }) },
      plugins: { tooltip: { callbacks: { label: (ctx) => ctx.raw.post + ': ' + ctx.raw.y + ' % left at ' + Math.round(ctx.raw.x) + ' %' } } },
    },
  });

  // Best time to post: weekday × hour grid of the shrunk ln(1 + views) estimate, per platform; best slots outlined.
  const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
  data.bestTime.grids.forEach((grid, index) => {
    const values = grid.cells.map((c) => c.shrunkEstimate);
    const min = values.reduce((a, b) => (b < a ? b : a), Infinity);
    const span = values.reduce((a, b) => (b > a ? b : a), -Infinity) - min || 1;
    const best = new Set(grid.topSlots.map((s) => s.weekday + ':' + s.hour));
    const isBest = (ctx) => ctx.raw && best.has((weekdays.indexOf(ctx.raw.y) + 1) + ':' + Number(ctx.raw.x));
    make('chart-best-time-' + index, {
      type: 'matrix',
      data: {
        datasets: [{
          label: brand(grid.platform),
          data: grid.cells.map((c) => ({ x: hours[c.hour], y: weekdays[c.weekday - 1], v: c.shrunkEstimate, n: c.sampleSize })),
          backgroundColor: (ctx) => 'rgba(37, 99, 235, ' + (0.05 + 0.95 * ((ctx.raw?.v ?? min) - min) / span).toFixed(3) + ')',
          borderColor: (ctx) => (isBest(ctx) ? '#f59e0b' : 'rgba(255, 255, 255, 0.6)'),
          borderWidth: (ctx) => (isBest(ctx) ? 3 : 1),
          width: ({ chart }) => (chart.chartArea || {}).width / 24 - 1,
          height: ({ chart }) => (chart.chartArea || {}).height / 7 - 1,
        }],
      },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: (items) => items[0].raw.y + ' ' + items[0].raw.x + ':00', label: (ctx) => '≈ ' + Math.round(Math.expm1(ctx.raw.v)).toLocaleString('en-US') + ' views (' + ctx.raw.n + (ctx.raw.n === 1 ? ' post)' : ' posts)') + (isBest(ctx) ? ', a best slot' : '') } },
        },
        scales: {
          x: { type: 'category', labels: hours, offset: true, grid: { display: false }, title: { display: true, text: 'hour (' + grid.timeZone + ')' } },
          y: { type: 'category', labels: weekdays, offset: true, grid: { display: false } },
        },
      },
    });
  });

  // Virality score distribution of the day's posts, in 10-point bins.
  const bins = Array.from({ length: 10 }, () => 0);
  for (const s of data.virality.scores) bins[Math.min(9, Math.max(0, Math.floor(s / 10)))]++;
  make('chart-virality', {
    type: 'bar',
    data: { labels: bins.map((_, i) => i * 10 + '–' + (i * 10 + 10)), datasets: [{ label: 'posts', data: bins, backgroundColor: '#9333ea' }] },
    options: { plugins: { legend: { display: false } }, scales: { x: axis('score (0–100)'), y: axis('posts', { beginAtZero: true, ticks: { precision: 0 } }) } },
  });

  // Learning history: the trend figures of every learned day.
  const points = data.history.points;
  make('chart-history', {
    data: {
      labels: points.map((p) => p.day),
      datasets: [
        { type: 'line', label: 'completion (%)', data: points.map((p) => pct(p.completionRate)), borderColor: '#16a34a', backgroundColor: '#16a34a', yAxisID: 'y' },
        { type: 'line', label: 'lost in first 3 s (%)', data: points.map((p) => pct(p.first3sLoss)), borderColor: '#dc2626', backgroundColor: '#dc2626', yAxisID: 'y' },
        { type: 'line', label: 'engagement (%)', data: points.map((p) => pct(p.engagementRate)), borderColor: '#2563eb', backgroundColor: '#2563eb', yAxisID: 'y' },
        { type: 'bar', label: 'posts analysed', data: points.map((p) => p.postsAnalysed), backgroundColor: 'rgba(75, 85, 99, 0.25)', yAxisID: 'posts' },
      ],
    },
    options: { scales: { y: axis('%', { min: 0 }), posts: axis('posts', { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } }) } },
  });

  // Experiments: each treatment's relative effect (%) per daily look, its always-valid interval as a band.
  (data.experiments || []).forEach((experiment, index) => {
    const names = [...new Set(experiment.points.flatMap((p) => p.variants.map((v) => v.variant)))];
    const series = (name, key) => experiment.points.map((p) => {
      const v = p.variants.find((x) => x.variant === name);
      return v && v[key] !== null ? pct(v[key]) : null;
    });
    make('chart-experiment-' + index, {
      type: 'line',
      data: {
        labels: experiment.points.map((p) => p.day),
        datasets: names.flatMap((name, i) => {
          const colour = palette[(i + 1) % palette.length];
          return [
            { label: name + ' lower', data: series(name, 'lower'), borderColor: colour, borderWidth: 0, pointRadius: 0, fill: false },
            { label: name + ' interval', data: series(name, 'upper'), borderColor: colour, borderWidth: 0, pointRadius: 0, backgroundColor: colour + '33', fill: '-1' },
            { label: name, data: series(name, 'effect'), borderColor: colour, backgroundColor: colour, pointRadius: 3 },
          ];
        }),
      },
      options: {
        plugins: { legend: { labels: { filter: (item) => !item.text.endsWith(' lower') } } },
        scales: { y: axis('effect vs control (%)') },
      },
    });
  });

  window.reportCharts = charts;
  document.body.dataset.chartsDrawn = String(Object.keys(charts).length);
})();
`;
