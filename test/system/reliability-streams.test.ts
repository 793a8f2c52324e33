// Streams under faults: a client that disconnects mid-stream leaves only whole committed chunks (and a re-send
// stores each record exactly once), and SIGTERM lets a running stream finish within the grace period.
import { spawn } from 'node:child_process';
import { credentials } from '@grpc/grpc-js';
import { expect } from 'chai';
import { BIN } from '../helpers/cli.js';
import { STREAM_CHUNK_POINTS } from '../../src/embedding/points/point.service.js';
import { MetricsServiceClient, type MetricRecord } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { STREAM_CHUNK_RECORDS } from '../../src/metrics/ingest/record-ingest.service.js';
import { messagesOf, openStream, registerPosts, retentionRecord, streamAll } from '../helpers/metrics-fixtures.js';
import { BACKEND, call, seedDataDir, startTestServer, testConfig, uniq, type TestServer } from '../helpers/server.js';
import { createCollection, floats, point, streamMessages, upsertStream, stopAndClean } from '../helpers/embedding.js';

/** Polls `read` until it returns the same value for `stableMs` (bounded by `timeoutMs`); returns that value. */
async function settled(read: () => Promise<number>, stableMs = 400, timeoutMs = 10_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  let last = await read();
  let since = Date.now();
  while (Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = await read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= stableMs) break;
  }
  return last;
}

describe(`reliability: client disconnects mid-stream (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await stopAndClean(server);
  });

  const storedRecords = async (prefix: string) => {
    const r = await server.running.db.knex.raw('select count(*)::int as n from metric_records where record_id like ?', [`${prefix}-%`]);
    return r.rows[0].n as number;
  };

  // The guarantee: each chunk of STREAM_CHUNK_RECORDS valid records commits in its own transaction, so after a
  // cancel the stored records are exactly the first k whole chunks (k >= 0), never part of one; a re-send of the
  // whole stream then stores each record exactly once (the stored ones count as duplicates).
  for (const cut of ['after the first chunk committed', 'right after the last message, with a chunk in flight']) {
    it(`StreamMetrics cancelled ${cut}: only whole chunks stored; a re-send stores each record once`, async () => {
      const prefix = uniq('cut');
      const { postIds } = await registerPosts(server, prefix, 1);
      const total = STREAM_CHUNK_RECORDS * 2 + 2000;
      const base = Date.now() - 3_600_000;
      const records: MetricRecord[] = Array.from({ length: total }, (_, i) => retentionRecord(`${prefix}-${i}`, postIds[0]!, new Date(base + i)));
      const { stream, done } = openStream(server.metrics);
      done.catch(() => undefined);
      const sendUpTo = cut.startsWith('after the first') ? STREAM_CHUNK_RECORDS + 2500 : STREAM_CHUNK_RECORDS * 2;
      for (const message of messagesOf(records.slice(0, sendUpTo), 500)) {
        if (!stream.write(message)) await new Promise((resolve) => stream.once('drain', resolve));
      }
      if (cut.startsWith('after the first')) {
        const end = Date.now() + 30_000;
        while ((await storedRecords(prefix)) < STREAM_CHUNK_RECORDS && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      stream.cancel();
      const stored = await settled(() => storedRecords(prefix));
      console.log(`      cancelled ${cut}: ${stored} of ${sendUpTo} sent records stored`);
      expect(stored % STREAM_CHUNK_RECORDS, `${stored} is not a whole number of chunks`).to.equal(0);
      if (cut.startsWith('after the first')) expect(stored).to.equal(STREAM_CHUNK_RECORDS);

      const again = await streamAll(server.metrics, messagesOf(records, 500));
      expect(again.duplicateCount).to.equal(stored);
      expect(again.acceptedCount).to.equal(total - stored);
      expect(again.rejectedCount).to.equal(0);
      expect(await storedRecords(prefix)).to.equal(total);
    });
  }

  it('UpsertStream cancelled mid-stream: only whole chunks stored; a re-send leaves each point once', async () => {
    const collection = await createCollection(server.embedding, { dimension: 3 });
    const total = STREAM_CHUNK_POINTS * 2 + 500;
    const points = Array.from({ length: total }, (_, i) => point(`p${i}`, floats([1, i % 5, 2])));
    const pointCount = async () => (await call(server.embedding, server.embedding.getCollection, { name: collection })).collection!.pointCount;
    const stream = server.embedding.upsertStream(() => undefined);
    for (const message of streamMessages(collection, points.slice(0, STREAM_CHUNK_POINTS + 1000), 250)) {
      if (!stream.write(message)) await new Promise((resolve) => stream.once('drain', resolve));
    }
    const end = Date.now() + 30_000;
    while ((await pointCount()) < STREAM_CHUNK_POINTS && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
    stream.cancel();
    const stored = await settled(pointCount);
    expect(stored).to.equal(STREAM_CHUNK_POINTS);
    const again = await upsertStream(server.embedding, streamMessages(collection, points, 250));
    expect(again.insertedCount).to.equal(total - stored);
    expect(again.updatedCount).to.equal(stored);
    expect(await pointCount()).to.equal(total);
  });
});

describe(`reliability: SIGTERM during a stream (${BACKEND})`, () => {
  it('lets a running client stream finish within the grace period, then exits 0', async () => {
    const { config, cleanup } = testConfig();
    await seedDataDir(config.dataDir);
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: '0',
        HTTP_PORT: 'off',
        LOG_LEVEL: 'info',
        SCHEDULER_ENABLED: 'false',
        SHUTDOWN_GRACE_MS: '15000',
        DATA_DIR: config.dataDir,
        DATABASE_URL: process.env.DATABASE_URL ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let client: MetricsServiceClient | undefined;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const line = stdout.split('\n').find((l) => l.includes('"msg":"serving"'));
          if (line) {
            clearInterval(timer);
            resolve(JSON.parse(line).port);
          }
        }, 50);
        void exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`exited early with ${code}: ${stdout}`));
        });
      });
      client = new MetricsServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
      const prefix = uniq('term');
      const { postIds } = await registerPosts({ metrics: client } as TestServer, prefix, 1);
      const base = Date.now() - 3_600_000;
      const { stream, done } = openStream(client);
      const messages = 10;
      stream.write({ records: Array.from({ length: 100 }, (_, i) => retentionRecord(`${prefix}-0-${i}`, postIds[0]!, new Date(base + i))) });
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill('SIGTERM');
      // The stream keeps sending for another ~2 s after the signal, then ends.
      for (let m = 1; m < messages; m++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        stream.write({ records: Array.from({ length: 100 }, (_, i) => retentionRecord(`${prefix}-${m}-${i}`, postIds[0]!, new Date(base + m * 100 + i))) });
      }
      stream.end();
      const response = await done;
      expect(response.acceptedCount).to.equal(messages * 100);
      expect(response.rejectedCount).to.equal(0);
      expect(await exited).to.equal(0);
      expect(stdout).to.match(/"msg":"shutting down"/);
      expect(stdout).to.not.match(/grace period over/);
    } finally {
      client?.close();
      child.kill('SIGKILL');
      cleanup();
    }
  });
});
