// gRPC handlers of MetricsService: validate, call the service, map errors (through the handler wrappers).
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { MetricsServiceServer } from '../gen/stakazo/ml/v1/metrics.js';
import type { HandlerDeps } from '../grpc/handlers.js';

/** The implemented methods of MetricsService; the server answers UNIMPLEMENTED for the rest. */
export function metricsHandlers(_deps: HandlerDeps, _db: Db, _config: Config): Partial<MetricsServiceServer> {
  return {};
}
