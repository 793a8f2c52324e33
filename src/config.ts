// Every setting of the service, read from environment variables and validated once at start-up.

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
  dbPoolMax: number;
  /** How long a call waits for a free pooled connection before failing with UNAVAILABLE. */
  dbAcquireTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  reflection: boolean;
  shutdownGraceMs: number;
  maxReceiveMessageBytes: number;
  limits: Limits;
  indexing: IndexingConfig;
  scheduler: SchedulerConfig;
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

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', `"${raw}" is not a URL (expected postgres://user@host:port/database)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `scheme "${url.protocol}" is not postgres:`);
  }
  return raw;
}

function timeOfDay(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(raw)) throw new ConfigError(name, `"${raw}" is not a time HH:MM`);
  return raw;
}

/** Throws ConfigError unless `zone` is an IANA time zone Node knows. */
export function assertTimeZone(name: string, zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError(name, `"${zone}" is not an IANA time zone (e.g. UTC, Europe/Madrid)`);
  }
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

/** Reads and validates every setting; throws ConfigError naming the first bad one. */
export function loadConfig(env: Env = process.env): Config {
  return {
    host: env.HOST || '0.0.0.0',
    port: integer(env, 'PORT', 50051, 0, 65535),
    httpPort: env.HTTP_PORT?.trim().toLowerCase() === 'off' ? undefined : integer(env, 'HTTP_PORT', 9464, 0, 65535),
    databaseUrl: databaseUrl(env),
    dataDir: env.DATA_DIR || './data',
    dbPoolMax: integer(env, 'DB_POOL_MAX', 10, 1, 1000),
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
    },
    indexing: {
      defaultThreshold: integer(env, 'INDEXING_THRESHOLD', 20_000, 0, 2_000_000_000),
      maintenanceWorkMem: memorySize(env, 'INDEX_BUILD_MAINTENANCE_WORK_MEM', '256MB'),
      parallelWorkers: integer(env, 'INDEX_BUILD_PARALLEL_WORKERS', 1, 0, 64),
    },
    scheduler: {
      enabled: boolean(env, 'SCHEDULER_ENABLED', true),
      time: timeOfDay(env, 'SCHEDULER_TIME', '02:00'),
      timeZone: assertTimeZone('SCHEDULER_TIME_ZONE', env.SCHEDULER_TIME_ZONE || 'UTC'),
      catchUpDays: integer(env, 'SCHEDULER_CATCH_UP_DAYS', 7, 0, 366),
    },
    tls: tls(env),
    boostThreshold: integer(env, 'BOOST_THRESHOLD', 75, 0, 100),
    authCacheMs: integer(env, 'AUTH_CACHE_MS', 5000, 0, 3_600_000),
    authMode: oneOf(env, 'AUTH', 'auto', ['auto', 'tokens', 'none'] as const),
    traceFile: env.TRACE_FILE || undefined,
  };
}
