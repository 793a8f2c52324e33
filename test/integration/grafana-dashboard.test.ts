// The Grafana dashboard (deploy/grafana/dashboards/stakazo-ml.json) shows data: after mixed traffic (calls that
// succeed and fail, metric records accepted, duplicated and rejected, points upserted, learning runs), every
// expression of every panel, evaluated over two scrapes of the live /metrics (test/helpers/promql.ts: the PromQL
// subset the dashboard uses), returns at least one finite sample.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import { collectionSpec, floats, point } from '../helpers/embedding.js';
import { registerPosts, retentionRecord } from '../helpers/metrics-fixtures.js';
import { evaluate, parseExposition, type Scrape } from '../helpers/promql.js';
import { BACKEND, call, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const DASHBOARD = 'deploy/grafana/dashboards/stakazo-ml.json';

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

/** Grafana's variables as a dashboard over one instance sees them. */
function withVariables(expr: string): string {
  return expr.replaceAll('$instance', '.*').replaceAll('$__rate_interval', '1m');
}

describe(`grafana dashboard (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.stop());

  async function scrape(): Promise<Scrape> {
    const text = await (await fetch(`http://127.0.0.1:${server.running.httpPort}/metrics`)).text();
    return parseExposition(text, performance.now() / 1000, { instance: `127.0.0.1:${server.running.httpPort}`, job: 'stakazo-ml' });
  }

  /** One round of what a live service sees: ingest of both kinds (accepted, duplicate, rejected), reads, a failed call, a learning run. */
  async function traffic(prefix: string, round: number): Promise<void> {
    const { postIds } = await registerPosts(server, `${prefix}-${round}`, 1, Platform.PLATFORM_TIKTOK);
    const observed = new Date('2026-01-02T10:00:00Z');
    const records = [retentionRecord(`${prefix}-${round}-r1`, postIds[0], observed), retentionRecord(`${prefix}-${round}-r1`, postIds[0], observed)];
    records.push(retentionRecord(`${prefix}-${round}-r2`, `${prefix}-no-such-post`, observed));
    await call(server.metrics, server.metrics.recordMetrics, { records, allOrNothing: false });
    const collection = `${prefix}-c${round}`;
    await call(server.embedding, server.embedding.createCollection, { collection: collectionSpec({ name: collection }) });
    await call(server.embedding, server.embedding.upsert, { collection, points: [point('a', floats([1, 0, 0])), point('b', floats([0, 1, 0]))] });
    await call(server.embedding, server.embedding.getCollection, { name: `${prefix}-missing` }).catch(() => undefined);
    await call(server.learning, server.learning.runDailyLearning, { day: '2026-01-02', force: true });
  }

  it('every expression of every panel returns samples after mixed traffic', async () => {
    const prefix = uniq('dash');
    await traffic(prefix, 1);
    const first = await scrape();
    await traffic(prefix, 2);
    const second = await scrape();
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
    const expressions = expressionsOf(dashboard);
    expect(expressions.length).to.be.greaterThan(15);
    const empty = expressions.filter((expr) => !evaluate(withVariables(expr), [first, second]).some((sample) => Number.isFinite(sample.value)));
    expect(empty, 'expressions without a finite sample').to.deep.equal([]);
  });

  it('labels calls as the gRPC ecosystem does (grpc_service, grpc_method, grpc_code)', async () => {
    await call(server.metrics, server.metrics.listContent, { pageSize: 1, pageToken: '' });
    const calls = (await scrape()).series.get('stakazo_grpc_requests_total') ?? [];
    expect(calls.map((s) => s.labels)).to.deep.include({
      instance: `127.0.0.1:${server.running.httpPort}`,
      job: 'stakazo-ml',
      grpc_service: 'stakazo.ml.v1.MetricsService',
      grpc_method: 'ListContent',
      grpc_code: 'OK',
    });
  });

  it('evaluates the PromQL subset as Prometheus does', () => {
    const at = (text: string, s: number) => parseExposition(text, s);
    const scrapes: [Scrape, Scrape] = [
      at('a_total{m="x"} 10\na_total{m="y"} 0\nh_bucket{le="1"} 0\nh_bucket{le="2"} 0\nh_bucket{le="+Inf"} 0\n', 0),
      at('a_total{m="x"} 70\na_total{m="y"} 30\nh_bucket{le="1"} 50\nh_bucket{le="2"} 100\nh_bucket{le="+Inf"} 100\ng 3\n', 60),
    ];
    expect(evaluate('sum by (m) (rate(a_total[1m]))', scrapes).map((s) => s.value)).to.deep.equal([1, 0.5]);
    expect(evaluate('sum(increase(a_total{m!="y"}[1h])) / clamp_min(sum(increase(a_total[1h])), 1e-9)', scrapes)[0].value).to.be.closeTo(2 / 3, 1e-12);
    expect(evaluate('histogram_quantile(0.75, sum by (le) (rate(h_bucket[1m])))', scrapes)[0].value).to.equal(1.5);
    expect(evaluate('max(g{instance=~".*"})', scrapes)[0].value).to.equal(3);
    expect(evaluate('sum(rate(missing_total[1m]))', scrapes)).to.deep.equal([]);
  });

  it('is provisioned by the compose monitoring profile, scraping the HTTP side', () => {
    const compose = readFileSync('docker-compose.yml', 'utf8');
    expect(compose).to.match(/prometheus:\n\s+image: prom\/prometheus[^\n]*\n\s+profiles: \[monitoring\]/);
    expect(compose).to.match(/grafana:\n\s+image: grafana\/grafana[^\n]*\n\s+profiles: \[monitoring\]/);
    expect(compose).to.contain('./deploy/grafana/dashboards:/var/lib/grafana/dashboards');
    expect(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')).to.contain('targets: ["stakazo-ml:9464"]');
  });
});
