// StreamMetrics and ExportMetrics at volume: exact counts, resumed and concurrent streams, bounded export memory.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { eventually } from '../helpers/eventually.js';
import { MetricFamily, type ExportMetricsResponse, type MetricRecord } from '../../src/gen/stakazo/ml/v1/metrics.js';
const DEFAULT_TENANT = 'default';
import { messagesOf, openStream, registerPosts, retentionRecord, streamAll, writeAll } from '../helpers/metrics-fixtures.js';
import { BACKEND, call, startTestServer, uniq, type TestServer } from '../helpers/server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes one copy of `value` takes (measured over 5 copies). */
function heapOfCopies(value: unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const copies = Array.from({ length: 5 }, () => structuredClone(value));
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / copies.length;
  return bytes;
}

/** A window of time no other run uses, so exports of a shared database see only this run's records. */
const BASE_MS = Date.UTC(2010, 0, 1) + Math.floor(Math.random() * 3000) * 86_400_000;

describe(`metrics streams (${BACKEND})`, function () {
  this.timeout(120_000);
  let server: TestServer;
  let postIds: string[];
  before(async () => {
    server = await startTestServer();
    ({ postIds } = await registerPosts(server, uniq('stream'), 10));
  });
  after(async () => server?.stop());

  /** Rows stored for record ids starting with `prefix`, and how many distinct ids. */
  async function stored(prefix: string): Promise<{ rows: number; ledger: number }> {
    const knex = server.running.db.knex;
    const like = `${prefix}%`;
    const rows = await knex.raw('select count(*)::int as n from retention_metrics where tenant_id = ? and record_id like ?', [DEFAULT_TENANT, like]);
    const ledger = await knex.raw('select count(*)::int as n from metric_records where tenant_id = ? and record_id like ?', [DEFAULT_TENANT, like]);
    return { rows: rows.rows[0].n, ledger: ledger.rows[0].n };
  }

  /** `count` retention records; every `invalidEvery`-th (from 7) has a completion rate of 2. */
  function* records(prefix: string, count: number, invalidEvery = 0, baseMs = Date.UTC(2026, 0, 1)): Generator<MetricRecord> {
    for (let i = 0; i < count; i++) {
      const r = retentionRecord(`${prefix}-${i}`, postIds[i % postIds.length], new Date(baseMs + i * 1000), i);
      if (invalidEvery && i % invalidEvery === 7 && r.payload?.$case === 'retention') r.payload.value.completionRate = 2;
      yield r;
    }
  }

  it('takes 50,000 records with invalid ones mixed in and reports exact counts; a re-send is all duplicates', async () => {
    const prefix = uniq('big');
    const started = Date.now();
    const result = await streamAll(server.metrics, messagesOf(records(prefix, 50_000, 40, BASE_MS), 500));
    const seconds = (Date.now() - started) / 1000;
    console.log(`      streamed 50,000 records in ${seconds.toFixed(1)} s (${Math.round(50_000 / seconds)} records/s, ${BACKEND})`);
    expect(result.acceptedCount).to.equal(48_750);
    expect(result.duplicateCount).to.equal(0);
    expect(result.rejectedCount).to.equal(1_250);
    expect(result.rejected).to.have.length(1_000);
    expect(result.rejected[0]).to.include({ index: 7, recordId: `${prefix}-7`, field: 'retention.completion_rate' });
    expect(result.rejected[999].index).to.equal(7 + 999 * 40);
    expect(await stored(prefix)).to.deep.equal({ rows: 48_750, ledger: 48_750 });

    const again = await streamAll(server.metrics, messagesOf(records(prefix, 10_000, 40, BASE_MS), 1000));
    expect(again).to.deep.include({ acceptedCount: 0, duplicateCount: 9_750, rejectedCount: 250 });
    expect(await stored(prefix)).to.deep.equal({ rows: 48_750, ledger: 48_750 });
  });

  it('exports that range in chunks of at most 1,000 with every record once, memory bounded with a slow reader', async () => {
    const received = new Set<string>();
    let chunks = 0;
    let maxChunk = 0;
    let peakGrowth = 0;
    let chunkBytes = 0;
    gc();
    const baseline = process.memoryUsage().heapUsed;
    const call = server.metrics.exportMetrics({
      family: MetricFamily.METRIC_FAMILY_RETENTION,
      startTime: new Date(BASE_MS),
      endTime: new Date(BASE_MS + 50_000 * 1000),
      platform: 0,
    });
    await new Promise<void>((resolve, reject) => {
      call.on('data', (chunk: ExportMetricsResponse) => {
        chunks++;
        if (chunks === 1) chunkBytes = heapOfCopies(chunk);
        maxChunk = Math.max(maxChunk, chunk.records.length);
        for (const r of chunk.records) received.add(r.recordId);
        if (chunks % 5 === 0) {
          // A slow reader: the server must wait for it instead of buffering the rest of the export.
          call.pause();
          setTimeout(() => {
            gc();
            peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - baseline);
            call.resume();
          }, 20);
        }
      });
      call.on('end', resolve);
      call.on('error', reject);
    });
    expect(received.size).to.equal(48_750);
    expect(chunks).to.equal(49);
    expect(maxChunk).to.equal(1000);
    // The whole export is 49 chunks; the client buffers up to 16 messages while paused (grpc-js' readable
    // high-water mark) and the server holds about one: live memory must stay far below the whole export.
    const message = `peak heap growth ${(peakGrowth / 1e6).toFixed(1)} MB, one chunk ≈ ${(chunkBytes / 1e6).toFixed(1)} MB`;
    expect(peakGrowth, message).to.be.lessThan(25 * chunkBytes);
  });

  it('keeps each record exactly once when a cut stream is re-sent in full', async () => {
    const prefix = uniq('cut');
    const { stream, done } = openStream(server.metrics);
    const outcome = done.then(
      () => 'completed',
      (err: ServiceError) => err.code,
    );
    const all = [...messagesOf(records(prefix, 15_000), 250)];
    for (const message of all.slice(0, 40)) {
      if (!stream.write(message)) await new Promise((resolve) => stream.once('drain', resolve));
    }
    // Wait until the server has committed at least one chunk, then cut the stream.
    expect(await eventually(async () => (await stored(prefix)).rows > 0, 120_000), 'a chunk committed').to.equal(true);
    stream.cancel();
    expect(await outcome).to.equal(status.CANCELLED);
    // A chunk already being written when the cut came still commits; wait until the count settles.
    let partial = await stored(prefix);
    for (let settled = 0; settled < 4; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = await stored(prefix);
      settled = now.rows === partial.rows ? settled + 1 : 0;
      partial = now;
    }
    expect(partial.rows).to.be.greaterThan(0).and.lessThan(15_000);

    const resent = await streamAll(server.metrics, all);
    expect(resent.rejectedCount).to.equal(0);
    expect(resent.duplicateCount).to.equal(partial.rows);
    expect(resent.acceptedCount).to.equal(15_000 - partial.rows);
    expect(await stored(prefix)).to.deep.equal({ rows: 15_000, ledger: 15_000 });
  });

  it('writes one copy when two streams send the same ids at once, without errors', async () => {
    const prefix = uniq('race');
    const [a, b] = await Promise.all([
      streamAll(server.metrics, messagesOf(records(prefix, 12_000), 300)),
      streamAll(server.metrics, messagesOf(records(prefix, 12_000), 300)),
    ]);
    expect(a.rejectedCount + b.rejectedCount, JSON.stringify([a.rejected[0], b.rejected[0]])).to.equal(0);
    expect(a.acceptedCount + b.acceptedCount).to.equal(12_000);
    expect(a.duplicateCount + b.duplicateCount).to.equal(12_000);
    expect(await stored(prefix)).to.deep.equal({ rows: 12_000, ledger: 12_000 });
  });

  it('reports rejections of any family in a stream by their position over all messages', async () => {
    const prefix = uniq('pos');
    const good = [...records(prefix, 3)];
    const result = await streamAll(server.metrics, [
      { records: good.slice(0, 2) },
      { records: [{ ...good[2], recordId: '' }, retentionRecord(`${prefix}-x`, 'ghost', new Date())] },
    ]);
    expect(result).to.deep.include({ acceptedCount: 2, rejectedCount: 2 });
    expect(result.rejected.map((r) => [r.index, r.field])).to.deep.equal([
      [2, 'record_id'],
      [3, 'retention.post_id'],
    ]);
  });

  it('leaves no record without its post when DeleteContent runs while a stream writes to its posts', async () => {
    // Family rows have no foreign key to posts (migration 20261126000001): the write's post check and DeleteContent
    // exclude each other, so every record is either accepted before the delete (and deleted with it) or rejected.
    const prefix = uniq('delrace');
    const doomed = await registerPosts(server, prefix, 4);
    function* doomedRecords() {
      for (let i = 0; i < 20_000; i++) yield retentionRecord(`${prefix}-${i}`, doomed.postIds[i % 4], new Date(BASE_MS + i * 1000), i);
    }
    // The first chunk (5,000 records) is stored, then the delete and the rest of the stream run at the same time.
    const messages = [...messagesOf(doomedRecords(), 500)];
    const { stream, done } = openStream(server.metrics);
    for (const message of messages.slice(0, 10)) stream.write(message);
    while ((await stored(prefix)).rows === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const [deleted] = await Promise.all([
      call(server.metrics, server.metrics.deleteContent, { contentId: doomed.contentId }),
      writeAll(stream, messages.slice(10)),
    ]);
    const result = await done;
    expect(result.acceptedCount + result.rejectedCount).to.equal(20_000);
    expect(result.rejected.filter((r) => r.field !== 'retention.post_id')).to.deep.equal([]);
    expect(deleted.recordsDeletedCount).to.equal(result.acceptedCount);
    expect(await stored(prefix)).to.deep.equal({ rows: 0, ledger: 0 });
  });

  it('answers an empty stream with zero counts', async () => {
    const { stream, done } = openStream(server.metrics);
    await writeAll(stream, []);
    expect(await done).to.deep.equal({ acceptedCount: 0, duplicateCount: 0, rejectedCount: 0, rejected: [] });
  });
});
