// Builds and runs the grpc-js server: services, health, reflection, graceful shutdown.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorSet } from '@bufbuild/protobuf/wkt';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { isAdmin, newAdminToken, publishAdminEndpoint } from './admin/admin-endpoint.js';
import type { IncomingMessage } from 'node:http';
import { DEFAULT_TENANT } from './tenancy/tenant-id.js';
import { backupRoute } from './admin/backup.http.js';
import { openApp, type App, type Services } from './app.js';
import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import { poolUsage } from './db/pool.js';
import { EmbeddingServiceService } from './gen/stakazo/ml/v1/embedding.js';
import { ExperimentServiceService } from './gen/stakazo/ml/v1/experiment.js';
import { LearningServiceService } from './gen/stakazo/ml/v1/learning.js';
import { MetricsServiceService } from './gen/stakazo/ml/v1/metrics.js';
import { tokenAuthenticator } from './grpc/auth.js';
import { EncodeProbe } from './grpc/encode-probe.js';
import type { HandlerDeps } from './grpc/handlers.js';
import { embeddingHandlers } from './embedding/embedding.grpc.js';
import { experimentHandlers } from './experiment/experiment.grpc.js';
import { learningHandlers } from './learning/learning.grpc.js';
import { LearningScheduler } from './learning/scheduler.js';
import { AppError } from './errors.js';
import { metricsHandlers } from './metrics/metrics.grpc.js';
import type { Logger } from './log.js';
import { startHttp, type Route } from './observability/http.js';
import { reportRoute, signInRoute } from './report/report.http.js';
import { ServiceMetrics } from './observability/prometheus.js';
import { CallTracer } from './observability/call-trace.js';
import { traceInterceptor } from './grpc/trace-interceptor.js';
import { readOnlyMethods } from './grpc/read-routing.js';

/** The fully-qualified names of our services, as reflection and health report them. */
export const SERVICE_NAMES = [
  'stakazo.ml.v1.EmbeddingService',
  'stakazo.ml.v1.MetricsService',
  'stakazo.ml.v1.LearningService',
  'stakazo.ml.v1.ExperimentService',
] as const;

/** The descriptor set built by `npm run generate` (our protos, their imports and grpc.health.v1). */
export const DESCRIPTOR_SET_PATH = join(dirname(fileURLToPath(import.meta.url)), 'gen', 'descriptor_set.binpb');

/** A running server. */
export interface RunningServer {
  port: number;
  db: Db;
  /** The services of the composition root (tests and the bench drive them in-process). */
  services: Services;
  server: Server;
  health: HealthImplementation;
  metrics: ServiceMetrics;
  /** Port of the HTTP side, when enabled. */
  httpPort?: number;
  /** Health NOT_SERVING, let calls finish within the grace period, then force; closes the database. */
  stop(): Promise<void>;
}

interface ServiceEntry {
  name: (typeof SERVICE_NAMES)[number];
  definition: ServiceDefinition;
  handlers: (deps: HandlerDeps, app: App) => UntypedServiceImplementation;
}

// NOTE: each handler map is a complete `…Server` (a missing RPC is a compile error); grpc-js wants the untyped form.
const SERVICES: ServiceEntry[] = [
  { name: SERVICE_NAMES[0], definition: EmbeddingServiceService, handlers: (deps, app) => ({ ...embeddingHandlers(deps, app.services, app.config) }) },
  { name: SERVICE_NAMES[1], definition: MetricsServiceService, handlers: (deps, app) => ({ ...metricsHandlers(deps, app.services, app.config) }) },
  { name: SERVICE_NAMES[2], definition: LearningServiceService, handlers: (deps, app) => ({ ...learningHandlers(deps, app.services, app.config) }) },
  { name: SERVICE_NAMES[3], definition: ExperimentServiceService, handlers: (deps, app) => ({ ...experimentHandlers(deps, app.services) }) },
];

/** Each method name (as the handlers report it, e.g. "Search") → its fully-qualified service, for /metrics. */
function serviceOfMethod(): Map<string, string> {
  const map = new Map<string, string>();
  for (const { name, definition } of SERVICES)
    for (const method of Object.values(definition)) map.set(method.originalName ?? method.path.split('/').at(-1)!, name);
  return map;
}

/**
 * Serves gRPC server reflection, both `grpc.reflection.v1` and the older `grpc.reflection.v1alpha` (grpcurl and most
 * tools try v1 first, older ones only know v1alpha), from the descriptor set built by `npm run generate`.
 */
function addReflection(server: Server, descriptorSet: FileDescriptorSet): void {
  // NOTE: the files go in unchanged (names, imports), not through proto-loader, which merges files of one package:
  // tools then see the same file names as the proto/ tree.
  const files = descriptorSet.file.map((file) => toBinary(FileDescriptorProtoSchema, file));
  const definition = { descriptorSet: { format: 'Protocol Buffer 3 FileDescriptorProto', fileDescriptorProtos: files } };
  new ReflectionService(definition as unknown as ConstructorParameters<typeof ReflectionService>[0]).addToServer(server);
}

function credentials(config: Config): ServerCredentials {
  if (!config.tls) return ServerCredentials.createInsecure();
  const { certFile, keyFile, clientCaFile } = config.tls;
  const read = (path: string, setting: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read ${setting} (${path}): ${(err as Error).message}`);
    }
  };
  return ServerCredentials.createSsl(
    clientCaFile ? read(clientCaFile, 'TLS_CLIENT_CA_FILE') : null,
    [{ cert_chain: read(certFile, 'TLS_CERT_FILE'), private_key: read(keyFile, 'TLS_KEY_FILE') }],
    Boolean(clientCaFile),
  );
}

function bind(server: Server, address: string, creds: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, port) => (err ? reject(new Error(`cannot listen on ${address} (HOST/PORT): ${err.message}`)) : resolve(port)));
  });
}

/** Opens the database, migrates, starts serving; health turns SERVING only after migrations. */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  // NOTE: the metrics registry exists before the app so that the learning run can report its duration to it.
  let metrics: ServiceMetrics | undefined;
  const app = await openApp(config, log, {
    onLearningRunFinished: (status, ms) => metrics?.learningRunDuration.observe({ status }, ms / 1000),
    onMetricsIngested: (summary) => metrics?.metricsIngested(summary),
    embedding: {
      pointsWritten: (path, count) => metrics?.pointsWritten(path, count),
      indexBuildFinished: (outcome) => metrics?.indexBuilds.inc({ outcome }),
    },
    deferIndexBuilds: true,
  });
  const { db, services } = app;
  log.info({ backend: db.kind, applied: app.migrationsApplied }, 'database ready');
  metrics = new ServiceMetrics({ onRead: (listener) => db.reads?.onRead(listener), poolUsage: () => poolUsage(db) }, serviceOfMethod());

  const tracer = config.traceFile ? new CallTracer(config.traceFile) : undefined;
  const server = new Server({
    'grpc.max_receive_message_length': config.maxReceiveMessageBytes,
    'grpc.max_send_message_length': config.limits.maxResponseBytes,
    'grpc.enable_channelz': 0,
    ...(tracer ? { interceptors: [traceInterceptor(tracer)] } : {}),
  });
  const health = new HealthImplementation({ '': 'NOT_SERVING', ...Object.fromEntries(SERVICE_NAMES.map((n) => [n, 'NOT_SERVING'])) });
  health.addToServer(server);
  // The contract as built by `npm run generate`: reflection serves it, and it says which RPCs only read.
  const descriptorSet = fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET_PATH));
  if (config.reflection) addReflection(server, descriptorSet);

  const encodeProbe = new EncodeProbe();
  const deps: HandlerDeps = {
    log,
    auth: tokenAuthenticator(services.tokens),
    observer: metrics,
    encodeProbe,
    tracer,
    readOnlyMethods: readOnlyMethods(descriptorSet),
  };
  for (const entry of SERVICES) server.addService(encodeProbe.watch(entry.definition), entry.handlers(deps, app));

  let port: number;
  try {
    port = await bind(server, `${config.host}:${config.port}`, credentials(config));
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  let serving = false;
  let http: Awaited<ReturnType<typeof startHttp>> | undefined;
  let admin: ReturnType<typeof publishAdminEndpoint> | undefined;
  if (config.httpPort !== undefined) {
    try {
      // Embedded database: /admin/backup, opened by the token of the admin file written once the port is known.
      const adminToken = newAdminToken();
      // The CLI beside a server on an embedded folder reads a tenant's report with the admin token (see cli/report.ts).
      const reportOptions = {
        adminTenant: (req: IncomingMessage, url: URL) =>
          isAdmin(req.headers.authorization, adminToken) ? url.searchParams.get('tenant') || DEFAULT_TENANT : undefined,
        secureCookie: Boolean(config.tls),
      };
      const routes: Record<string, Route> = {
        '/report': reportRoute(services, log, reportOptions),
        'POST /report/sign-in': signInRoute(services, reportOptions),
      };
      if (db.kind === 'pglite') routes['/admin/backup'] = backupRoute(db, adminToken, log);
      http = await startHttp({ host: config.host, port: config.httpPort, metrics, isServing: () => serving, log, routes });
      if (db.kind === 'pglite') admin = publishAdminEndpoint(config.dataDir, config.host, http.port, adminToken, port);
    } catch (err) {
      server.forceShutdown();
      await db.close().catch(() => undefined);
      throw err;
    }
  }
  for (const name of ['', ...SERVICE_NAMES]) health.setStatus(name, 'SERVING');
  serving = true;
  // Listening first: builds a crash cut off resume only now (see AppHooks.deferIndexBuilds).
  void services.collections.resumeIndexBuilds();
  const scheduler = config.scheduler.enabled
    ? new LearningScheduler({
        config: config.scheduler,
        log,
        tenants: () => services.tenancy.listTenantIds(),
        maintain: async () => {
          await services.metricStorage.maintain();
        },
        recoverRuns: () => services.learning.recoverOrphanedRuns(),
        runDay: async (tenantId, day) => {
          try {
            return !(await services.learning.runDay(tenantId, day, { trigger: 'scheduler' })).reused;
          } catch (err) {
            // Another replica holds this day: its run is the one that counts.
            if (err instanceof AppError && err.kind === 'failed_precondition') return false;
            throw err;
          }
        },
      })
    : undefined;
  scheduler?.start();
  // NOTE: without the scheduler, runs orphaned by a killed process are still recorded as failed (not left running);
  // learning them again is then the caller's (RunDailyLearning or Backfill, which take them over at once).
  if (!scheduler) {
    void services.learning.recoverOrphanedRuns().catch((err: unknown) => log.error({ err }, 'cannot look for orphaned learning runs'));
  }
  // NOTE: one refresher per tenant across replicas: each replica tries, the commit's lock and watermark let one win.
  const refreshTimer =
    config.modelRefreshIntervalS > 0
      ? setInterval(() => {
          void services.tenancy
            .listTenantIds()
            .then((tenants) => services.refresher.refreshAll(tenants))
            .catch((err) => log.error({ err }, 'model refresh: listing tenants failed'));
        }, config.modelRefreshIntervalS * 1000)
      : undefined;
  refreshTimer?.unref();
  log.info(
    { pid: process.pid, host: config.host, port, httpPort: http?.port, backend: db.kind, tls: Boolean(config.tls), reflection: config.reflection },
    'serving',
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      serving = false;
      clearInterval(refreshTimer);
      await scheduler?.stop();
      for (const name of ['', ...SERVICE_NAMES]) health.setStatus(name, 'NOT_SERVING');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          log.warn({ graceMs: config.shutdownGraceMs }, 'grace period over; cancelling remaining calls');
          server.forceShutdown();
          resolve();
        }, config.shutdownGraceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (http) await new Promise<void>((resolve) => http.server.close(() => resolve()));
      tracer?.flush();
      admin?.remove();
      await db.close();
      log.info('stopped');
    })());
  return { port, db, services, server, health, metrics, httpPort: http?.port, stop };
}
