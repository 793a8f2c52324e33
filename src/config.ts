// Every setting of the service, read from environment variables and validated once at start-up.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isValidTimeZone } from './domain/time-zone.js';

/** Raised when a setting is invalid; the message names the environment variable. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`invalid setting ${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Per-tenant cost guards. */
export interface Limits {
  maxCollections: number;
  maxPointsPerCollection: number;
  maxBatchSize: number;
  maxTopK: number;
  maxMetadataBytes: number;
  /** Largest answer a call may send (also grpc-js's max send message length). */
  maxResponseBytes: number;
  /** Most bytes of search answers being built by all calls at once; at least maxResponseBytes. */
  maxInflightResponseBytes: number;
}

/** Deferred HNSW index builds of embedding collections. */
export interface IndexingConfig {
  /** Point count at which a new collection's index is built when CreateCollection does not say; 0 = at once. */
  defaultThreshold: number;
  /** `maintenance_work_mem` of a build's connection (Postgres), e.g. "512MB". */
  maintenanceWorkMem: string;
  /** `max_parallel_maintenance_workers` of a build's connection (Postgres). */
  parallelWorkers: number;
}

/**
 * The embedded database's memory: PGlite is Postgres compiled to WebAssembly, running in this process, so these
 * sizes are this process's memory (shared_buffers is allocated and touched in full at start-up).
 */
export interface PgliteConfig {
  /** Postgres `shared_buffers`, e.g. "16MB": the page cache. */
  sharedBuffers: string;
  /** Postgres `work_mem`: per sort or hash before spilling to disk. */
  workMem: string;
  /** Postgres `maintenance_work_mem`: index builds (an HNSW build beyond it goes on, slower, on disk). */
  maintenanceWorkMem: string;
  /** The WebAssembly memory PGlite starts with, in MB (its module needs at least 128; it grows up to 2048). */
  initialMemoryMb: number;
  /**
   * Where the migrated template a new data folder is copied from is kept (made once by a child process); undefined:
   * a child process creates each new folder's database and nothing is kept.
   */
  templateDir?: string;
}

/** Entries kept at most by the process's own caches (each evicts or starts over when full). */
export interface CacheConfig {
  /** Collection metadata for the search path. */
  collections: number;
  /** Bearer-token lookups. */
  authTokens: number;
  /** Per-tenant virality predictors (a model, or the formula with the tenant's outcomes). */
  viralityTenants: number;
  /** Best-time grids used by predictions (per tenant, platform, time zone and day). */
  viralityGrids: number;
}

export interface SchedulerConfig {
  enabled: boolean;
  /** Daily fire time, HH:MM in `timeZone`. */
  time: string;
  timeZone: string;
  /** How many missed days to catch up at start-up. */
  catchUpDays: number;
}

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  /** When set, clients must present a certificate signed by this CA (mTLS). */
  clientCaFile?: string;
}

export type AuthMode = 'auto' | 'tokens' | 'none';

export interface Config {
  host: string;
  port: number;
  /** Port of the HTTP side (/metrics, /healthz, /report); undefined when HTTP_PORT=off. */
  httpPort?: number;
  /** Real Postgres when set; embedded PGlite in `dataDir` otherwise. */
  databaseUrl?: string;
  dataDir: string;
  /** Read replicas of `databaseUrl` (empty: every read goes to the primary; PGlite ignores them). */
  databaseReadUrls: string[];
  /** A replica further behind the primary than this serves no reads until it catches up. */
  readMaxLagMs: number;
  /** How often the replicas' replay positions are read (the routing decision itself costs no round trip). */
  readRefreshMs: number;
  /** A statement on a replica that has not answered after this long is answered by the primary; 0 = no limit. */
  readTimeoutMs: number;
  dbPoolMax: number;
  /** Metric records observed longer ago than this are dropped, a whole month at a time; 0 keeps everything. */
  metricsRetentionDays: number;
  /** How long a call waits for a free pooled connection before failing with UNAVAILABLE. */
  dbAcquireTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  reflection: boolean;
  shutdownGraceMs: number;
  maxReceiveMessageBytes: number;
  limits: Limits;
  indexing: IndexingConfig;
  pglite: PgliteConfig;
  caches: CacheConfig;
  scheduler: SchedulerConfig;
  /** Seconds between refreshes of the promoted virality models from the outcomes streamed since; 0: off. */
  modelRefreshIntervalS: number;
  tls?: TlsConfig;
  /** Minimum virality score (0..100) for boost_recommended. */
  boostThreshold: number;
  /** How long token lookups are cached; a revoked token stops working within this time. */
  authCacheMs: number;
  /**
   * Who may call: `tokens` (every call needs an active token), `none` (single-tenant: every caller is tenant
   * "default", tokens are not checked) or `auto` (tokens once any token has ever been created, else none).
   */
  authMode: AuthMode;
  /**
   * Bench-only: when set, every call's stages are stamped on the monotonic clock and written to this file as JSON
   * when the server stops (bench/trace.ts reads it). Unset, nothing is stamped.
   */
  traceFile?: string;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `"${raw}" is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `${value} is outside ${min}..${max}`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `"${env[name]}" is not a boolean (use true or false)`);
}

/** A Postgres memory size such as "512MB" or "1GB" (sent to the database as it is, so only this form passes). */
function memorySize(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim() || fallback;
  if (!/^[1-9][0-9]{0,6}(kB|MB|GB)$/.test(value)) throw new ConfigError(name, `"${value}" is not a memory size like 256MB or 1GB (units kB, MB, GB)`);
  return value;
}

const MEMORY_UNIT_KB: Record<string, number> = { kB: 1, MB: 1024, GB: 1024 * 1024 };

/** PGLITE_TEMPLATE_DIR: a folder, or `off`; default the user's cache folder ($XDG_CACHE_HOME or ~/.cache)/stakazo-ml. */
function templateDir(env: Env): { templateDir?: string } {
  const value = env.PGLITE_TEMPLATE_DIR?.trim();
  if (value?.toLowerCase() === 'off') return {};
  if (value) return { templateDir: value };
  return { templateDir: join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'stakazo-ml') };
}

/**
 * A PGlite memory size: a Postgres size of at least 128kB and at most `maxMb` (its WebAssembly memory is at most
 * 2 GB, so a larger one could only fail to start, or fail later).
 */
function pgliteMemory(env: Env, name: string, fallback: string, maxMb: number): string {
  const value = memorySize(env, name, fallback);
  const [, digits, unit] = /^(\d+)(kB|MB|GB)$/.exec(value)!;
  const kb = Number(digits) * MEMORY_UNIT_KB[unit!]!;
  if (kb < 128 || kb > maxMb * 1024) throw new ConfigError(name, `${value} is outside 128kB..${maxMb}MB (the embedded database's memory is at most 2 GB)`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

/** Throws ConfigError naming `setting` unless `raw` is a postgres:// URL. */
function postgresUrl(setting: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(setting, `"${raw}" is not a URL (expected postgres://user@host:port/database)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(setting, `scheme "${url.protocol}" is not postgres:`);
  }
  return raw;
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  return postgresUrl('DATABASE_URL', raw);
}

/** DATABASE_READ_URLS: comma-separated postgres:// URLs of read replicas (hot standbys of DATABASE_URL). */
function readUrls(env: Env): string[] {
  const raw = env.DATABASE_READ_URLS?.trim();
  if (!raw) return [];
  const urls = raw.split(',').map((part) => part.trim());
  if (urls.some((u) => u === '')) throw new ConfigError('DATABASE_READ_URLS', `"${raw}" has an empty entry (expected postgres://… URLs separated by commas)`);
  for (const u of urls) postgresUrl('DATABASE_READ_URLS', u);
  return urls;
}

function timeOfDay(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(raw)) throw new ConfigError(name, `"${raw}" is not a time HH:MM`);
  return raw;
}

/** Throws ConfigError unless `zone` is an IANA time zone Node knows. */
export function assertTimeZone(name: string, zone: string): string {
  if (!isValidTimeZone(zone)) throw new ConfigError(name, `"${zone}" is not an IANA time zone (e.g. UTC, Europe/Madrid)`);
  return zone;
}

function tls(env: Env): TlsConfig | undefined {
  const certFile = env.TLS_CERT_FILE || undefined;
  const keyFile = env.TLS_KEY_FILE || undefined;
  const clientCaFile = env.TLS_CLIENT_CA_FILE || undefined;
  if (!certFile && !keyFile) {
    if (clientCaFile) throw new ConfigError('TLS_CLIENT_CA_FILE', 'needs TLS_CERT_FILE and TLS_KEY_FILE');
    return undefined;
  }
  if (!certFile) throw new ConfigError('TLS_CERT_FILE', 'must be set together with TLS_KEY_FILE');
  if (!keyFile) throw new ConfigError('TLS_KEY_FILE', 'must be set together with TLS_CERT_FILE');
  return { certFile, keyFile, clientCaFile };
}

/**
 * Refuses a metrics retention that would drop days the start-up catch-up still learns: a day past retention is
 * learned from no data and recorded as a success ("No metrics were observed"), and the experiments reading it lose
 * their outcomes.
 */
function checkRetentionCoversCatchUp(config: Config): Config {
  const retention = config.metricsRetentionDays;
  const catchUp = config.scheduler.catchUpDays;
  if (retention > 0 && retention <= catchUp) {
    throw new ConfigError(
      'METRICS_RETENTION_DAYS',
      `${retention} days is not longer than SCHEDULER_CATCH_UP_DAYS (${catchUp}): the catch-up would learn days whose metrics were already dropped; ` +
        `set METRICS_RETENTION_DAYS above ${catchUp} (or 0 to keep everything), or lower SCHEDULER_CATCH_UP_DAYS`,
    );
  }
  return config;
}

/** Reads and validates every setting; throws ConfigError naming the first bad one. */
export function loadConfig(env: Env = process.env): Config {
  return checkInflightCoversOneAnswer(checkRetentionCoversCatchUp(readConfig(env)));
}

/** Refuses an in-flight bound below one call's largest answer: such a call could never be answered. */
function checkInflightCoversOneAnswer(config: Config): Config {
  const { maxResponseBytes, maxInflightResponseBytes } = config.limits;
  if (maxInflightResponseBytes < maxResponseBytes) {
    throw new ConfigError(
      'LIMIT_MAX_INFLIGHT_RESPONSE_BYTES',
      `${maxInflightResponseBytes} is below LIMIT_MAX_RESPONSE_BYTES (${maxResponseBytes}): one call's largest answer could never be built; set it to at least that`,
    );
  }
  return config;
}

function readConfig(env: Env): Config {
  return {
    host: env.HOST || '0.0.0.0',
    port: integer(env, 'PORT', 50051, 0, 65535),
    httpPort: env.HTTP_PORT?.trim().toLowerCase() === 'off' ? undefined : integer(env, 'HTTP_PORT', 9464, 0, 65535),
    databaseUrl: databaseUrl(env),
    dataDir: env.DATA_DIR || './data',
    databaseReadUrls: readUrls(env),
    readMaxLagMs: integer(env, 'READ_MAX_LAG_MS', 5000, 0, 3_600_000),
    readRefreshMs: integer(env, 'READ_REFRESH_MS', 100, 10, 60_000),
    readTimeoutMs: integer(env, 'READ_TIMEOUT_MS', 10_000, 0, 3_600_000),
    dbPoolMax: integer(env, 'DB_POOL_MAX', 10, 1, 1000),
    metricsRetentionDays: integer(env, 'METRICS_RETENTION_DAYS', 0, 0, 36_500),
    dbAcquireTimeoutMs: integer(env, 'DB_ACQUIRE_TIMEOUT_MS', 5000, 1, 600_000),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    reflection: boolean(env, 'REFLECTION', true),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    maxReceiveMessageBytes: integer(env, 'MAX_RECEIVE_MESSAGE_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    limits: {
      maxCollections: integer(env, 'LIMIT_MAX_COLLECTIONS', 100, 1, 100_000),
      maxPointsPerCollection: integer(env, 'LIMIT_MAX_POINTS_PER_COLLECTION', 10_000_000, 1, 2_000_000_000),
      maxBatchSize: integer(env, 'LIMIT_MAX_BATCH_SIZE', 1000, 1, 100_000),
      maxTopK: integer(env, 'LIMIT_MAX_TOP_K', 1000, 1, 1000),
      maxMetadataBytes: integer(env, 'LIMIT_MAX_METADATA_BYTES', 16 * 1024, 16, 1024 * 1024),
      maxResponseBytes: integer(env, 'LIMIT_MAX_RESPONSE_BYTES', 64 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
      maxInflightResponseBytes: integer(env, 'LIMIT_MAX_INFLIGHT_RESPONSE_BYTES', 256 * 1024 * 1024, 64 * 1024, 16 * 1024 * 1024 * 1024),
    },
    indexing: {
      defaultThreshold: integer(env, 'INDEXING_THRESHOLD', 20_000, 0, 2_000_000_000),
      maintenanceWorkMem: memorySize(env, 'INDEX_BUILD_MAINTENANCE_WORK_MEM', '256MB'),
      parallelWorkers: integer(env, 'INDEX_BUILD_PARALLEL_WORKERS', 1, 0, 64),
    },
    pglite: {
      sharedBuffers: pgliteMemory(env, 'PGLITE_SHARED_BUFFERS', '16MB', 1024),
      workMem: pgliteMemory(env, 'PGLITE_WORK_MEM', '4MB', 1024),
      maintenanceWorkMem: pgliteMemory(env, 'PGLITE_MAINTENANCE_WORK_MEM', '64MB', 1024),
      initialMemoryMb: integer(env, 'PGLITE_INITIAL_MEMORY_MB', 128, 128, 2048),
      ...templateDir(env),
    },
    caches: {
      collections: integer(env, 'CACHE_COLLECTIONS_MAX', 10_000, 1, 10_000_000),
      authTokens: integer(env, 'CACHE_AUTH_TOKENS_MAX', 10_000, 1, 10_000_000),
      viralityTenants: integer(env, 'CACHE_VIRALITY_TENANTS_MAX', 1000, 1, 10_000_000),
      viralityGrids: integer(env, 'CACHE_VIRALITY_GRIDS_MAX', 2000, 1, 10_000_000),
    },
    scheduler: {
      enabled: boolean(env, 'SCHEDULER_ENABLED', true),
      time: timeOfDay(env, 'SCHEDULER_TIME', '02:00'),
      timeZone: assertTimeZone('SCHEDULER_TIME_ZONE', env.SCHEDULER_TIME_ZONE || 'UTC'),
      catchUpDays: integer(env, 'SCHEDULER_CATCH_UP_DAYS', 7, 0, 366),
    },
    modelRefreshIntervalS: integer(env, 'MODEL_REFRESH_INTERVAL', 300, 0, 86_400),
    tls: tls(env),
    boostThreshold: integer(env, 'BOOST_THRESHOLD', 75, 0, 100),
    authCacheMs: integer(env, 'AUTH_CACHE_MS', 5000, 0, 3_600_000),
    authMode: oneOf(env, 'AUTH', 'auto', ['auto', 'tokens', 'none'] as const),
    traceFile: env.TRACE_FILE || undefined,
  };
}
