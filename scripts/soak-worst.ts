// npm run soak:worst [-- --seconds N]: another tenant's ListCollections latency while one tenant sends the worst
// requests the limits allow (scripts/soak/worst-worker.ts, a process of its own). The server runs in this process
// and the probe too, so a probe call's latency is what the server's event loop makes another caller wait.
// Reports p50/p99/max of the probe idle and under the worst requests, and what the attacker's calls answered.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { credentials, Metadata } from '@grpc/grpc-js';
import { unaryCall } from '../src/client-calls.js';
import { Collection, EmbeddingServiceClient, EmbeddingType } from '../src/gen/stakazo/ml/v1/embedding.js';
import { TenancyRepository } from '../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../src/tenancy/tenancy.service.js';
import { soakSeconds, startSoakServer } from './soak/server.js';

const here = dirname(fileURLToPath(import.meta.url));
const DIMENSION = 512;

const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

/** ListCollections of the probe tenant every 20 ms until `endAt`; latencies in ms. */
async function probe(client: EmbeddingServiceClient, auth: Metadata, endAt: number): Promise<number[]> {
  const latencies: number[] = [];
  while (Date.now() < endAt) {
    const start = performance.now();
    await unaryCall(client, client.listCollections, { embeddingType: 0 }, auth);
    latencies.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return latencies;
}

async function main(): Promise<number> {
  const duration = soakSeconds();
  const server = await startSoakServer('stakazo-soak-worst-', { AUTH: 'tokens', LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' });
  const { running, address } = server;
  const suffix = Date.now().toString(36);
  const tenancy = new TenancyRepository(running.db);
  const tenants = [`soak-attacker-${suffix}`, `soak-probe-${suffix}`];
  try {
    const [attacker, prober] = await Promise.all(tenants.map((t) => new TenancyService(tenancy).createToken(t, 'soak:worst')));
    const auth = (token: string) => {
      const m = new Metadata();
      m.set('authorization', `Bearer ${token}`);
      return m;
    };
    const client = new EmbeddingServiceClient(address, credentials.createInsecure());
    const collection = `worst-${suffix}`;
    await unaryCall(
      client,
      client.createCollection,
      { collection: Collection.fromPartial({ name: collection, embeddingType: EmbeddingType.EMBEDDING_TYPE_VISUAL_CLIP, dimension: DIMENSION }) },
      auth(attacker!.token),
    );
    await unaryCall(
      client,
      client.createCollection,
      { collection: Collection.fromPartial({ name: 'probe', embeddingType: 1, dimension: 8 }) },
      auth(prober!.token),
    );

    const idle = await probe(client, auth(prober!.token), Date.now() + 5_000);
    const endAt = Date.now() + duration * 1000;
    console.log(`soak:worst: ${running.db.kind}, worst requests for ${duration} s against another tenant's ListCollections`);
    const child = fork(join(here, 'soak', 'worst-worker.ts'), [address, attacker!.token, collection, String(DIMENSION), String(endAt)], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    const report = new Promise<Record<string, { calls: number; codes: Record<string, number>; maxMs: number }>>((resolve, reject) => {
      let got: Record<string, { calls: number; codes: Record<string, number>; maxMs: number }> | undefined;
      child.on('message', (m) => (got = m as typeof got));
      child.on('exit', (code) => (got ? resolve(got) : reject(new Error(`worst worker exited with ${code} and no report`))));
    });
    const loaded = await probe(client, auth(prober!.token), endAt);
    const attacks = await report;
    client.close();
    const row = (label: string, xs: number[]) =>
      console.log(
        `${label.padEnd(28)} calls ${String(xs.length).padStart(5)}  p50 ${quantile(xs, 0.5).toFixed(1).padStart(7)} ms  p99 ${quantile(xs, 0.99).toFixed(1).padStart(7)} ms  max ${Math.max(
          ...xs,
        )
          .toFixed(1)
          .padStart(7)} ms`,
      );
    row('ListCollections idle', idle);
    row('ListCollections under worst', loaded);
    for (const [name, r] of Object.entries(attacks))
      console.log(`  attacker ${name.padEnd(30)} ${r.calls} calls (longest ${r.maxMs} ms), answers ${JSON.stringify(r.codes)}`);
    console.log(
      `SOAK_WORST_RESULT ${JSON.stringify({ backend: running.db.kind, seconds: duration, idleP99Ms: quantile(idle, 0.99), p99Ms: quantile(loaded, 0.99), maxMs: Math.max(...loaded), attacks })}`,
    );
    return 0;
  } finally {
    for (const t of tenants) await tenancy.deleteTokensOf(t).catch(() => undefined);
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`soak:worst: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
