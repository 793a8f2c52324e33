// The composition root: opens the database and builds every repository and service once. The gRPC server, the
// CLI, the scheduler and the report page all take their parts from here; nothing else constructs a service.
import type { Config } from './config.js';
import { assertReachable, openDb, type Db, type DbOptions } from './db/connect.js';
import { migrateLatest } from './db/migrate.js';
import { AliasRepository } from './embedding/collections/alias.repository.js';
import { AliasService } from './embedding/collections/alias.service.js';
import { CollectionCache } from './embedding/collections/collection-cache.js';
import { CollectionRepository } from './embedding/collections/collection.repository.js';
import { CollectionService } from './embedding/collections/collection.service.js';
import { ContentSearchRepository } from './embedding/content-search/content-search.repository.js';
import { ContentSearchService } from './embedding/content-search/content-search.service.js';
import type { EmbeddingObserver } from './embedding/embedding.types.js';
import { IndexBuildRepository } from './embedding/indexing/index-build.repository.js';
import { IndexBuildService } from './embedding/indexing/index-build.service.js';
import { PointRepository } from './embedding/points/point.repository.js';
import { PointService } from './embedding/points/point.service.js';
import { QueryInputRepository } from './embedding/search/query-inputs.repository.js';
import { QueryInputService } from './embedding/search/query-inputs.service.js';
import { SearchRepository } from './embedding/search/search.repository.js';
import { InflightAnswerBytes } from './embedding/search/response-budget.js';
import { SearchService } from './embedding/search/search.service.js';
import { ExperimentRepository } from './experiment/experiment.repository.js';
import { ExperimentService } from './experiment/experiment.service.js';
import type { OutcomePredictor } from './experiment/experiment.types.js';
import { BestTimeService } from './learning/best-time/best-time.service.js';
import { BestTimeRepository } from './learning/best-time/best-time.repository.js';
import { LearningRepository } from './learning/run/learning.repository.js';
import { LearningService } from './learning/run/learning.service.js';
import { ViralityCacheService } from './learning/virality/virality-cache.service.js';
import { ViralityTrainingService } from './learning/virality/virality-training.service.js';
import { AdviceRepository } from './learning/advice/advice.repository.js';
import { AdviceService } from './learning/advice/advice.service.js';
import { RefreshRepository } from './learning/virality/refresh.repository.js';
import { ModelRefresher } from './learning/virality/refresh.service.js';
import { ViralityRepository } from './learning/virality/virality.repository.js';
import { ViralityService } from './learning/virality/virality.service.js';
import type { Logger } from './log.js';
import { type IngestObserver, MetricsIngestService } from './metrics/ingest/record-ingest.service.js';
import { MetricIngestRepository } from './metrics/ingest/record-ingest.repository.js';
import { MetricQueryRepository } from './metrics/query/record-query.repository.js';
import { ContentRepository } from './metrics/content.repository.js';
import { MetricsService } from './metrics/metrics.service.js';
import { MetricPartitionRepository } from './metrics/storage/partition.repository.js';
import { MetricStorageService } from './metrics/storage/metric-storage.service.js';
import { TenancyRepository } from './tenancy/tenancy.repository.js';
import { TenancyService, TenantSettingsService } from './tenancy/tenancy.service.js';
import { TokenAuthService } from './tenancy/token-auth.service.js';

/** Every service of the process, built once per open database. */
export interface Services {
  /** Collections and their index builds (CreateCollection … DeleteCollection, BuildIndex). */
  collections: CollectionService;
  /** A collection's points (Upsert … Scroll); DeleteContent deletes a content's points through it. */
  points: PointService;
  /** Search, SearchBatch and Recommend. */
  search: SearchService;
  /** SearchContent: contents ranked over several collections, fused. */
  contentSearch: ContentSearchService;
  /** Collection aliases (CreateAlias … SwitchAlias); every collection name a call takes may be one of them. */
  aliases: AliasService;
  metrics: MetricsService;
  ingest: MetricsIngestService;
  learning: LearningService;
  /** PredictVirality; shares its cache with `trainer`, so a promotion invalidates exactly what predictions read. */
  virality: ViralityService;
  bestTime: BestTimeService;
  /** A/B experiments; the daily learning run updates the running ones through its ExperimentUpdater port. */
  experiment: ExperimentService;
  trainer: ViralityTrainingService;
  /** Refreshes the promoted virality models between daily runs (MODEL_REFRESH_INTERVAL). */
  refresher: ModelRefresher;
  /** The metric tables' monthly partitions: created ahead, dropped past METRICS_RETENTION_DAYS (run by the scheduler). */
  metricStorage: MetricStorageService;
  /** Tenants and API tokens (the CLI, the scheduler, the report page, the demo seeder). */
  tenancy: TenancyService;
  /** A tenant's settings (share_learning); SetLearningSettings and `stakazo-ml tenant` change them. */
  tenantSettings: TenantSettingsService;
  tokens: TokenAuthService;
}

/** Hooks of the process around the services (metrics of the gRPC server; none in the CLI). */
export interface AppHooks {
  onLearningRunFinished?: (status: 'succeeded' | 'failed', durationMs: number) => void;
  /** Points written by Upsert / UpsertStream, by path (bulk COPY or staging), and index builds by outcome. */
  embedding?: EmbeddingObserver;
  /** Totals of every finished metric write (RecordMetrics, StreamMetrics). */
  onMetricsIngested?: IngestObserver;
  /**
   * The caller resumes the index builds a crash cut off itself (services.collections.resumeIndexBuilds), e.g. the
   * server once it listens: on PGlite a build holds the one connection and the event loop, and a server that
   * resumed it first had no open port for a minute (a liveness probe restarts it in a loop).
   */
  deferIndexBuilds?: boolean;
}

/** An open database and the services over it. */
export interface App {
  config: Config;
  db: Db;
  log: Logger;
  services: Services;
  /** Closes the database (the services are unusable afterwards). */
  close(): Promise<void>;
}

/** Builds the repositories and services over an open database. */
export function buildServices(db: Db, config: Config, log: Logger, hooks: AppHooks = {}): Services {
  const viralityRepository = new ViralityRepository(db);
  const viralityCache = new ViralityCacheService(viralityRepository, { maxPredictors: config.caches.viralityTenants, maxGrids: config.caches.viralityGrids });
  const trainer = new ViralityTrainingService(viralityRepository, viralityCache, log);
  const tenancy = new TenancyRepository(db);
  // One per process: writers and upkeep share its knowledge of which months exist.
  const metricPartitions = new MetricPartitionRepository(db);
  // One collection cache per process: searches read it, DeleteCollection drops from it.
  const collectionCache = new CollectionCache(undefined, config.caches.collections);
  const indexBuildRepository = new IndexBuildRepository(db, config.indexing);
  const indexBuilds = new IndexBuildService(indexBuildRepository, log.child({ component: 'index-builds' }), (outcome) =>
    hooks.embedding?.indexBuildFinished?.(outcome),
  );
  const collectionRepository = new CollectionRepository(db, collectionCache);
  const collections = new CollectionService(collectionRepository, config.limits, {
    builds: indexBuilds,
    repository: indexBuildRepository,
    defaultThreshold: config.indexing.defaultThreshold,
  });
  const points = new PointService(collectionRepository, new PointRepository(db), config.limits, { builds: indexBuilds, observer: hooks.embedding });
  const queryInputs = new QueryInputService(collectionCache, new QueryInputRepository(db));
  // One bound for the process: the answers all calls are building at once (LIMIT_MAX_INFLIGHT_RESPONSE_BYTES).
  const inflightAnswers = new InflightAnswerBytes(config.limits.maxInflightResponseBytes);
  const virality = new ViralityService(viralityRepository, viralityCache);
  const experimentRepository = new ExperimentRepository(db);
  const experiment = new ExperimentService(experimentRepository, predictionCovariate(virality, config.boostThreshold));
  const learningRepository = new LearningRepository(db);
  // Retention drops nothing before a day no run has learned, nor a running experiment's metrics: it asks the tables'
  // owners (learning_runs; experiments and experiment_posts) through the ports of MetricStorageService.
  const metricStorage = new MetricStorageService(metricPartitions, config.metricsRetentionDays, log.child({ component: 'metric-partitions' }), {
    learnedDays: learningRepository,
    experiments: experimentRepository,
  });
  const tenantSettings = new TenantSettingsService(tenancy);
  const learning = new LearningService(learningRepository, log, {
    refreshStatistics: () => metricStorage.refreshStatistics(),
    stateUpdater: trainer,
    adviser: new AdviceService(new AdviceRepository(db), log.child({ component: 'advice' }), {
      settings: (tenantId) => tenantSettings.adviceSettings(tenantId),
    }),
    experimentUpdater: experiment,
    onRunFinished: hooks.onLearningRunFinished,
  });
  return {
    collections,
    points,
    search: new SearchService(queryInputs, new SearchRepository(db), config.limits, inflightAnswers),
    contentSearch: new ContentSearchService(queryInputs, new ContentSearchRepository(db), config.limits, inflightAnswers),
    aliases: new AliasService(new AliasRepository(db)),
    // DeleteContent asks the embedding area to delete points; ListDailySnapshots reads the learning area's snapshots.
    metrics: new MetricsService(new ContentRepository(db), new MetricQueryRepository(db), points, learning),
    ingest: new MetricsIngestService(new MetricIngestRepository(db, metricPartitions), undefined, hooks.onMetricsIngested),
    metricStorage,
    learning,
    refresher: new ModelRefresher(new RefreshRepository(db), viralityRepository, viralityCache, log.child({ component: 'model-refresh' })),
    virality,
    bestTime: new BestTimeService(new BestTimeRepository(db), viralityCache),
    experiment,
    trainer,
    tenancy: new TenancyService(tenancy),
    tenantSettings,
    tokens: new TokenAuthService(tenancy, log, config.authCacheMs, config.authMode, config.caches.authTokens),
  };
}

/** The experiments' covariate: the virality model's ln(1 + predicted views) of each post, as planned. */
function predictionCovariate(virality: ViralityService, boostThreshold: number): OutcomePredictor {
  return {
    async predictLogViews(tenantId, posts) {
      const items = posts.map((p, index) => ({
        index,
        contentId: p.contentId,
        platform: p.platform,
        plannedAt: new Date(p.publishedAt),
        timeZone: p.timeZone,
      }));
      const predictions = items.length ? await virality.predict(tenantId, items, boostThreshold) : [];
      return new Map(predictions.map((p) => [posts[p.index].postId, p.predictedLogViews]));
    },
  };
}

/** The database options of the settings. */
export function dbOptionsOf(config: Config): DbOptions {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.dbPoolMax,
    acquireTimeoutMs: config.dbAcquireTimeoutMs,
    pglite: config.pglite,
    readUrls: config.databaseReadUrls,
    readMaxLagMs: config.readMaxLagMs,
    readRefreshMs: config.readRefreshMs,
    readTimeoutMs: config.readTimeoutMs,
  };
}

/** Opens the configured database, checks that it answers, migrates it and builds the services. */
export async function openApp(config: Config, log: Logger, hooks: AppHooks = {}): Promise<App & { migrationsApplied: string[] }> {
  const options = dbOptionsOf(config);
  const db = await openDb({ ...options, log: log.child({ component: 'database' }) });
  let migrationsApplied: string[];
  try {
    await assertReachable(db, options);
    migrationsApplied = await migrateLatest(db.knex);
    // NOTE: after migrating, so a replica is compared with (and routed to for) the schema the service runs on.
    await db.reads?.verify();
    db.reads?.start();
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  const services = buildServices(db, config, log, hooks);
  // Index builds cut off by a crash or restart go on in the background; close() waits for running ones.
  if (!hooks.deferIndexBuilds) void services.collections.resumeIndexBuilds();
  const close = async () => {
    await services.collections.indexBuildsIdle();
    await db.close();
  };
  return { config, db, log, services, close, migrationsApplied };
}
