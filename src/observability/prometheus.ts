// Prometheus metrics of the process: calls by RPC and status, latency, ingest rows, learning runs, pool usage.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { status } from '@grpc/grpc-js';
import type { CallObserver } from '../grpc/observe.js';
import type { PointWritePath } from '../embedding/embedding.types.js';
import type { WriteSummary } from '../metrics/metrics.types.js';

const CODE_NAMES = Object.fromEntries(
  Object.entries(status)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v, k]),
);

/** What the metrics read of the database (the server wires it to src/db): where reads ran, and the pool's use. */
export interface DatabaseGauges {
  onRead(listener: (target: string) => void): void;
  poolUsage(): { used: number; free: number; pending: number } | undefined;
}

/** Everything the service exports at /metrics, in its own registry (tests start many servers in one process). */
export class ServiceMetrics implements CallObserver {
  readonly registry = new Registry();
  // NOTE: the labels are go-grpc-middleware's (grpc_service, grpc_method, grpc_code), so dashboards and alerts
  // written for other gRPC services read these too.
  readonly requests = new Counter({
    name: 'stakazo_grpc_requests_total',
    help: 'gRPC calls finished, by service, method and status code',
    labelNames: ['grpc_service', 'grpc_method', 'grpc_code'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'stakazo_grpc_request_duration_seconds',
    help: 'gRPC call latency, by service and method',
    labelNames: ['grpc_service', 'grpc_method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [this.registry],
  });
  readonly ingestedRows = new Counter({
    name: 'stakazo_ingested_rows_total',
    help: 'Rows written by ingest calls, by kind (points, metric records) and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly pointWrites = new Counter({
    name: 'stakazo_embedding_point_writes_total',
    help: 'Points written by Upsert and UpsertStream, by path: bulk_copy (binary COPY straight into the table) or staging',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });
  readonly indexBuilds = new Counter({
    name: 'stakazo_index_builds_total',
    help: 'Background HNSW index builds of this process, by outcome (built, already_ready, busy: another replica builds, gone, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly learningRunDuration = new Histogram({
    name: 'stakazo_learning_run_duration_seconds',
    help: 'Duration of daily learning runs, by final status',
    labelNames: ['status'] as const,
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  /** Database sessions of read-only calls, by where they ran: "primary" or a replica's host:port/database. */
  readonly reads = new Counter({
    name: 'stakazo_db_reads_total',
    help: 'Database sessions of read-only calls, by target (primary or a read replica)',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });

  /**
   * `serviceOfMethod` names the fully-qualified service of each method name the handlers report (method names are
   * unique across our services); an unknown one is counted under service "unknown".
   */
  constructor(
    database?: DatabaseGauges,
    private readonly serviceOfMethod: ReadonlyMap<string, string> = new Map(),
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'stakazo_' });
    database?.onRead((target) => this.reads.inc({ target }));
    if (database) {
      new Gauge({
        name: 'stakazo_db_pool_connections',
        help: 'Database pool connections by state (used, free, pending acquires)',
        labelNames: ['state'] as const,
        registers: [this.registry],
        collect() {
          const usage = database.poolUsage();
          if (!usage) return;
          this.set({ state: 'used' }, usage.used);
          this.set({ state: 'free' }, usage.free);
          this.set({ state: 'pending' }, usage.pending);
        },
      });
    }
  }

  onCall(method: string, code: number, durationMs: number): void {
    const labels = { grpc_service: this.serviceOfMethod.get(method) ?? 'unknown', grpc_method: method };
    this.requests.inc({ ...labels, grpc_code: CODE_NAMES[code] ?? String(code) });
    this.latency.observe(labels, durationMs / 1000);
  }

  /** Points written by Upsert / UpsertStream (all or nothing: a refused batch writes none). */
  pointsWritten(path: PointWritePath, count: number): void {
    this.pointWrites.inc({ path }, count);
    this.ingestedRows.inc({ kind: 'points', outcome: 'accepted' }, count);
  }

  /** The totals of one metric write. */
  metricsIngested(summary: WriteSummary): void {
    for (const [outcome, count] of [
      ['accepted', summary.acceptedCount],
      ['duplicate', summary.duplicateCount],
      ['rejected', summary.rejectedCount],
    ] as const) {
      // NOTE: zero increments too, so each series exists from the first write and rate() has a start.
      this.ingestedRows.inc({ kind: 'metric_records', outcome }, count);
    }
  }
}
