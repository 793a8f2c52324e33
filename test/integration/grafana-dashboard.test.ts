// The Grafana dashboard (deploy/grafana/dashboards/stakazo-ml.json) reads only metrics the service exports: every
// PromQL expression's metric names are checked against the /metrics of a live test server.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { BACKEND, call, startTestServer, type TestServer } from '../helpers/server.js';

const DASHBOARD = 'deploy/grafana/dashboards/stakazo-ml.json';

/** PromQL words that are not metric names: operators, modifiers and literals. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/**
 * The metric names an expression reads: identifiers left once strings, label matchers, grouping lists and range
 * selectors are removed, other than function calls and keywords.
 */
function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names: string[] = [];
  // NOTE: the whole identifier is matched first, then a following "(" marks a function call.
  for (const [, name, isCall] of stripped.matchAll(/(?<![\w.$:])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (!isCall && !KEYWORDS.has(name.toLowerCase())) names.push(name);
  }
  return names;
}

/** Every series name /metrics can carry, from its `# TYPE` lines (histograms add _bucket, _sum and _count). */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** Every PromQL expression of the dashboard: panel targets (rows' nested panels too) and query variables. */
function expressionsOf(dashboard: { panels: unknown[]; templating?: { list: unknown[] } }): string[] {
  const expressions: string[] = [];
  const visit = (panel: { targets?: { expr?: string }[]; panels?: unknown[] }) => {
    for (const target of panel.targets ?? []) if (target.expr) expressions.push(target.expr);
    for (const child of panel.panels ?? []) visit(child as typeof panel);
  };
  for (const panel of dashboard.panels) visit(panel as Parameters<typeof visit>[0]);
  for (const variable of dashboard.templating?.list ?? []) {
    const query = (variable as { type: string; query?: string | { query?: string } }).query;
    const text = typeof query === 'string' ? query : query?.query;
    if ((variable as { type: string }).type === 'query' && text) expressions.push(text.replace(/^label_values\((.*),\s*\w+\)$/, '$1'));
  }
  return expressions;
}

describe(`grafana dashboard (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.stop());

  it('finds the metric names of PromQL expressions', () => {
    expect(metricNamesOf('histogram_quantile(0.99, sum by (le, method) (rate(a_bucket{x="y",z!~"w(1)"}[$__rate_interval])))')).to.deep.equal(['a_bucket']);
    expect(metricNamesOf('sum(rate(b_total[5m])) / clamp_min(sum(rate(c_total{code!="OK"}[5m])), 1e-9)')).to.deep.equal(['b_total', 'c_total']);
    expect(metricNamesOf('up and on (instance) d offset 1h')).to.deep.equal(['up', 'd']);
  });

  it('reads only metrics the service exports, and covers calls, errors, latency, pool, learning runs and ingest', async () => {
    // One call so that the call metrics have samples, as on a live service.
    await call(server.metrics, server.metrics.listContent, { pageSize: 1, pageToken: '' });
    const exposition = await (await fetch(`http://127.0.0.1:${server.running.httpPort}/metrics`)).text();
    const exported = exportedNames(exposition);
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
    const expressions = expressionsOf(dashboard);
    expect(expressions.length).to.be.greaterThan(15);
    const used = new Set<string>();
    for (const expr of expressions) {
      const names = metricNamesOf(expr);
      expect(names, expr).to.not.be.empty;
      for (const name of names) {
        expect(exported.has(name), `${name} (in ${expr}) is not exported at /metrics`).to.equal(true);
        used.add(name);
      }
    }
    for (const name of [
      'stakazo_grpc_requests_total',
      'stakazo_grpc_request_duration_seconds_bucket',
      'stakazo_db_pool_connections',
      'stakazo_learning_run_duration_seconds_count',
      'stakazo_ingested_rows_total',
    ]) {
      expect([...used], name).to.include(name);
    }
  });

  it('is provisioned by the compose monitoring profile, scraping the HTTP side', () => {
    const compose = readFileSync('docker-compose.yml', 'utf8');
    expect(compose).to.match(/prometheus:\n\s+image: prom\/prometheus[^\n]*\n\s+profiles: \[monitoring\]/);
    expect(compose).to.match(/grafana:\n\s+image: grafana\/grafana[^\n]*\n\s+profiles: \[monitoring\]/);
    expect(compose).to.contain('./deploy/grafana/dashboards:/var/lib/grafana/dashboards');
    expect(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')).to.contain('targets: ["stakazo-ml:9464"]');
  });
});
