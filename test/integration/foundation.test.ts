// The skeleton: health, reflection a strict client can link, migrations, UNIMPLEMENTED, shutdown, bad config.
import { spawn } from 'node:child_process';
import { credentials, loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { migrateLatest } from '../../src/db/migrate.js';
import { resolveAll } from '../helpers/reflection.js';
import { BACKEND, seedDataDir, startTestServer, testConfig, type TestServer } from '../helpers/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function healthCheck(address: string, service: string): Promise<string> {
  const pkg = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as { grpc: { health: { v1: GrpcObject } } };
  const Ctor = pkg.grpc.health.v1.Health as ServiceClientConstructor;
  const client = new Ctor(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.check({ service }, (err: Error | null, res: { status: string }) => {
      client.close();
      if (err) reject(err);
      else resolve(res.status);
    });
  });
}

describe(`foundation (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.stop());

  it('reports SERVING on the standard health service, overall and per service', async () => {
    expect(await healthCheck(server.address, '')).to.equal('SERVING');
    expect(await healthCheck(server.address, 'stakazo.ml.v1.EmbeddingService')).to.equal('SERVING');
    expect(await healthCheck(server.address, 'stakazo.ml.v1.ExperimentService')).to.equal('SERVING');
  });

  for (const version of ['v1', 'v1alpha'] as const) {
    it(`serves reflection (${version}) that a strict client links, with every method resolvable`, async () => {
      const { registry, services } = await resolveAll(server.address, version);
      expect(services).to.include.members([
        'stakazo.ml.v1.EmbeddingService',
        'stakazo.ml.v1.MetricsService',
        'stakazo.ml.v1.LearningService',
        'stakazo.ml.v1.ExperimentService',
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
      ]);
      let methods = 0;
      for (const name of services) {
        const service = registry.getService(name);
        expect(service, name).to.not.equal(undefined);
        for (const method of service!.methods) {
          expect(registry.getMessage(method.input.typeName), method.input.typeName).to.not.equal(undefined);
          expect(registry.getMessage(method.output.typeName), method.output.typeName).to.not.equal(undefined);
          methods++;
        }
      }
      expect(methods).to.be.greaterThan(30);
      // Messages with a map, a Struct and a Timestamp resolve, field types included.
      const behavior = registry.getMessage('stakazo.ml.v1.ViewerBehavior')!;
      expect(behavior.fields.find((f) => f.name === 'traffic_sources')!.fieldKind).to.equal('map');
      const point = registry.getMessage('stakazo.ml.v1.Point')!;
      expect(point.fields.find((f) => f.name === 'metadata')!.message!.typeName).to.equal('google.protobuf.Struct');
      expect(point.fields.find((f) => f.name === 'create_time')!.message!.typeName).to.equal('google.protobuf.Timestamp');
    });
  }

  it('runs migrations again without error, and every migration up is idempotent on its own', async () => {
    const knex = server.running.db.knex;
    expect(await migrateLatest(knex)).to.deep.equal([]);
    const dir = join(root, 'migrations');
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .sort()) {
      const migration = (await import(pathToFileURL(join(dir, file)).href)) as { up(k: Knex): Promise<void> };
      await migration.up(knex);
    }
    const tables = await knex.raw(`select count(*)::int as n from information_schema.tables where table_schema = current_schema()
      and table_name in ('tenants','collections','content','posts','metric_records','retention_metrics','engagement_metrics',
      'viewer_behavior','engine_performance','satellite_performance','meta_learning_scores','daily_snapshots','learning_runs','learned_models')`);
    expect(tables.rows[0].n).to.equal(14);
  });
});

/** Runs src/main.ts as a child process with the given settings. */
function spawnMain(env: Record<string, string>, command: [string, string[]] = [process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts')]]) {
  const child = spawn(command[0], command[1], {
    env: { ...process.env, PORT: '0', HTTP_PORT: '0', LOG_LEVEL: 'info', SCHEDULER_ENABLED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Whether a process with this pid still runs. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe(`process (${BACKEND})`, () => {
  it("`npm start` stopped by npm's pid stops the server too (it follows its parent) and frees the port", async () => {
    const { config, cleanup } = testConfig();
    await seedDataDir(config.dataDir);
    const npm = spawnMain({ HOST: '127.0.0.1', DATA_DIR: config.dataDir, DATABASE_URL: process.env.DATABASE_URL ?? '' }, ['npm', ['start', '--silent']]);
    let serverPid = 0;
    try {
      for (let i = 0; i < 600 && !serverPid; i++) {
        const line = npm
          .output()
          .stdout.split('\n')
          .find((l) => l.includes('"msg":"serving"'));
        if (line) serverPid = JSON.parse(line).pid;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(serverPid, npm.output().stderr).to.be.greaterThan(0);
      expect(serverPid).to.not.equal(npm.child.pid);
      npm.child.kill('SIGTERM');
      for (let i = 0; i < 100 && running(serverPid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(running(serverPid), 'the server outlived npm').to.equal(false);
    } finally {
      if (serverPid && running(serverPid)) process.kill(serverPid, 'SIGKILL');
      cleanup();
    }
  });

  it('shuts down cleanly on SIGTERM after serving', async () => {
    const { config, cleanup } = testConfig();
    await seedDataDir(config.dataDir);
    const proc = spawnMain({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: config.dataDir, DATABASE_URL: process.env.DATABASE_URL ?? '' });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const line = proc
            .output()
            .stdout.split('\n')
            .find((l) => l.includes('"msg":"serving"'));
          if (line) {
            clearInterval(timer);
            resolve(JSON.parse(line).port);
          }
        }, 50);
        proc.exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`exited early with ${code}: ${proc.output().stderr}`));
        });
      });
      expect(await healthCheck(`127.0.0.1:${port}`, '')).to.equal('SERVING');
      proc.child.kill('SIGTERM');
      expect(await proc.exited).to.equal(0);
      expect(proc.output().stdout).to.match(/"msg":"stopped"/);
    } finally {
      proc.child.kill('SIGKILL');
      cleanup();
    }
  });

  it('exits non-zero naming PORT when PORT is not a number', async () => {
    const proc = spawnMain({ PORT: 'abc' });
    expect(await proc.exited).to.equal(2);
    expect(proc.output().stderr).to.match(/PORT.*"abc" is not a whole number/);
  });

  it('exits non-zero naming DATABASE_URL when the database is unreachable', async () => {
    const proc = spawnMain({ PORT: '0', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    expect(await proc.exited).to.equal(1);
    expect(proc.output().stderr).to.match(/DATABASE_URL/);
  });
});

describe(`http side (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.stop());

  it('serves /healthz and Prometheus /metrics counting gRPC calls by method and status', async () => {
    const base = `http://127.0.0.1:${server.running.httpPort}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).to.equal(200);
    expect(await health.text()).to.equal('SERVING\n');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).to.match(/stakazo_db_pool_connections\{state="used"\}/);
    expect(metrics).to.match(/stakazo_process_resident_memory_bytes/);
    expect((await fetch(`${base}/nope`)).status).to.equal(404);
  });
});
