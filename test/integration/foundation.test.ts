// The skeleton: health, reflection a strict client can link, migrations, UNIMPLEMENTED, the HTTP side. (The server as
// a process of its own — npm start, SIGTERM, bad config — is tested in test/system/process.test.ts.)
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { migrateLatest } from '../../src/db/migrate.js';
import { healthCheck } from '../helpers/health.js';
import { resolveAll } from '../helpers/reflection.js';
import { BACKEND, startTestServer, type TestServer } from '../helpers/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

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
