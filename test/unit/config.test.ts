// The config module: defaults, validation, and errors that name the setting.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type ConfigError, loadConfig } from '../../src/config.js';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('has working defaults with no environment', () => {
    const config = loadConfig({});
    expect(config.port).to.equal(50051);
    expect(config.databaseUrl).to.equal(undefined);
    expect(config.dataDir).to.equal('./data');
    expect(config.scheduler).to.deep.include({ enabled: true, time: '02:00', timeZone: 'UTC' });
  });

  it('names the setting at fault', () => {
    expect(errorOf({ PORT: 'abc' }).setting).to.equal('PORT');
    expect(errorOf({ PORT: '70000' }).message).to.match(/PORT: 70000 is outside 0..65535/);
    expect(errorOf({ DATABASE_URL: 'mysql://x' }).setting).to.equal('DATABASE_URL');
    expect(errorOf({ LOG_LEVEL: 'loud' }).message).to.match(/LOG_LEVEL/);
    expect(errorOf({ SCHEDULER_TIME: '25:00' }).setting).to.equal('SCHEDULER_TIME');
    expect(errorOf({ SCHEDULER_TIME_ZONE: 'Mars/Base' }).setting).to.equal('SCHEDULER_TIME_ZONE');
    expect(errorOf({ REFLECTION: 'maybe' }).setting).to.equal('REFLECTION');
    expect(errorOf({ TLS_CERT_FILE: '/x' }).setting).to.equal('TLS_KEY_FILE');
  });

  it('refuses a metrics retention not longer than the catch-up window, naming both', () => {
    const err = errorOf({ METRICS_RETENTION_DAYS: '1' });
    expect(err.setting).to.equal('METRICS_RETENTION_DAYS');
    expect(err.message).to.match(/METRICS_RETENTION_DAYS: 1 days is not longer than SCHEDULER_CATCH_UP_DAYS \(7\)/);
    expect(errorOf({ METRICS_RETENTION_DAYS: '30', SCHEDULER_CATCH_UP_DAYS: '30' }).setting).to.equal('METRICS_RETENTION_DAYS');
    expect(loadConfig({ METRICS_RETENTION_DAYS: '8' }).metricsRetentionDays).to.equal(8);
    expect(loadConfig({ METRICS_RETENTION_DAYS: '0', SCHEDULER_CATCH_UP_DAYS: '366' }).metricsRetentionDays).to.equal(0);
  });

  it('refuses an in-flight answer bound below one call’s largest answer, naming both', () => {
    const err = errorOf({ LIMIT_MAX_RESPONSE_BYTES: String(8 * 1024 * 1024), LIMIT_MAX_INFLIGHT_RESPONSE_BYTES: String(4 * 1024 * 1024) });
    expect(err.setting).to.equal('LIMIT_MAX_INFLIGHT_RESPONSE_BYTES');
    expect(err.message).to.match(/is below LIMIT_MAX_RESPONSE_BYTES \(8388608\)/);
    expect(loadConfig({}).limits.maxInflightResponseBytes).to.equal(256 * 1024 * 1024);
  });

  it('reads a postgres URL and booleans', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', REFLECTION: 'off' });
    expect(config.databaseUrl).to.equal('postgres://u@h:5432/db');
    expect(config.reflection).to.equal(false);
  });

  it('sizes the embedded database and the caches from settings, refusing sizes PGlite cannot start with', () => {
    const defaults = loadConfig({});
    expect(defaults.pglite).to.deep.equal({
      sharedBuffers: '16MB',
      workMem: '4MB',
      maintenanceWorkMem: '64MB',
      initialMemoryMb: 128,
      templateDir: join(homedir(), '.cache', 'stakazo-ml'),
    });
    expect(loadConfig({ XDG_CACHE_HOME: '/var/cache' }).pglite.templateDir).to.equal('/var/cache/stakazo-ml');
    expect(loadConfig({ PGLITE_TEMPLATE_DIR: '/srv/templates' }).pglite.templateDir).to.equal('/srv/templates');
    expect(loadConfig({ PGLITE_TEMPLATE_DIR: 'off' }).pglite).to.not.have.property('templateDir');
    expect(defaults.caches).to.deep.equal({ collections: 10_000, authTokens: 10_000, viralityTenants: 1000, viralityGrids: 2000 });
    const set = loadConfig({ PGLITE_SHARED_BUFFERS: '64MB', PGLITE_WORK_MEM: '512kB', CACHE_COLLECTIONS_MAX: '50' });
    expect(set.pglite).to.include({ sharedBuffers: '64MB', workMem: '512kB' });
    expect(set.caches.collections).to.equal(50);
    expect(errorOf({ PGLITE_SHARED_BUFFERS: '4GB' }).message).to.match(/PGLITE_SHARED_BUFFERS: 4GB is outside 128kB..1024MB/);
    expect(errorOf({ PGLITE_WORK_MEM: '64kB' }).setting).to.equal('PGLITE_WORK_MEM');
    expect(errorOf({ PGLITE_MAINTENANCE_WORK_MEM: 'lots' }).setting).to.equal('PGLITE_MAINTENANCE_WORK_MEM');
    // PGlite's WebAssembly module declares 128 MB as its smallest memory: less cannot even be instantiated.
    expect(errorOf({ PGLITE_INITIAL_MEMORY_MB: '64' }).message).to.match(/PGLITE_INITIAL_MEMORY_MB: 64 is outside 128..2048/);
    expect(errorOf({ CACHE_AUTH_TOKENS_MAX: '0' }).setting).to.equal('CACHE_AUTH_TOKENS_MAX');
  });

  it('reads DATABASE_READ_URLS and names it when malformed', () => {
    const config = loadConfig({ DATABASE_READ_URLS: 'postgres://u@r1:5433/db, postgresql://u@r2/db' });
    expect(config.databaseReadUrls).to.deep.equal(['postgres://u@r1:5433/db', 'postgresql://u@r2/db']);
    expect(loadConfig({}).databaseReadUrls).to.deep.equal([]);
    expect(errorOf({ DATABASE_READ_URLS: 'postgres://u@r1/db,,postgres://u@r2/db' }).message).to.match(/DATABASE_READ_URLS: .*empty entry/);
    expect(errorOf({ DATABASE_READ_URLS: 'postgres://u@r1/db,not a url' }).message).to.match(/DATABASE_READ_URLS: "not a url" is not a URL/);
    expect(errorOf({ DATABASE_READ_URLS: 'mysql://r1/db' }).setting).to.equal('DATABASE_READ_URLS');
    expect(errorOf({ READ_MAX_LAG_MS: '-1' }).setting).to.equal('READ_MAX_LAG_MS');
  });
});
