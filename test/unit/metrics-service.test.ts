// MetricsService and MetricsIngestService without a database: in-memory repositories and ports show the domain
// logic (paging, NOT_FOUND, DeleteContent's order across areas, snapshots through the learning port, outcomes).
import { expect } from 'chai';
import { AppError } from '../../src/errors.js';
import { familyOfName } from '../../src/metrics/families.js';
import { MetricsIngestService } from '../../src/metrics/ingest/record-ingest.service.js';
import type { MetricIngestRepository } from '../../src/metrics/ingest/record-ingest.repository.js';
import type { MetricQueryRepository } from '../../src/metrics/query/record-query.repository.js';
import type { ContentRepository } from '../../src/metrics/content.repository.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import type { Content, ContentInput, DailySnapshot, PreparedRecord, StoredRecordResult, ValidRecord } from '../../src/metrics/metrics.types.js';

/** Content kept in a Map, in content_id order like the SQL; `steps` records the order of deletions across areas. */
function inMemory() {
  const contents = new Map<string, Content>();
  const steps: string[] = [];
  const repository = {
    async upsertContent(_tenantId: string, c: ContentInput) {
      const created = !contents.has(c.contentId);
      const { contentId, durationS, metadata, ...features } = c;
      const content: Content = { contentId, durationS, metadata, features, createdAt: new Date(0), updatedAt: new Date(0) };
      contents.set(c.contentId, content);
      return { content, created };
    },
    async findContent(_tenantId: string, contentId: string) {
      return contents.get(contentId);
    },
    async listContent(_tenantId: string, afterId: string | undefined, limit: number) {
      return [...contents.values()]
        .filter((c) => afterId === undefined || c.contentId > afterId)
        .sort((a, b) => (a.contentId < b.contentId ? -1 : 1))
        .slice(0, limit);
    },
    async deleteContent(_tenantId: string, contentId: string) {
      steps.push(`metrics:${contentId}`);
      contents.delete(contentId);
      return { postsDeletedCount: 2, recordsDeletedCount: 7 };
    },
  };
  const points = {
    async deleteContentPoints(_tenantId: string, contentId: string) {
      steps.push(`points:${contentId}`);
      return 3;
    },
  };
  const snapshot: DailySnapshot = {
    day: '2026-01-02',
    platform: 'tiktok',
    postsCount: 1,
    views: 10,
    averageRetention: 0.5,
    completionRate: 0.2,
    engagementRate: 0.1,
    savesRate: 0,
    sharesRate: 0,
    first3sLoss: 0.3,
    topPerformers: [],
    builtAt: new Date(0),
  };
  const snapshotCalls: unknown[][] = [];
  const snapshots = {
    async listSnapshots(...args: [string, string, string, string?]) {
      snapshotCalls.push(args);
      return [snapshot];
    },
  };
  const service = new MetricsService(repository as unknown as ContentRepository, {} as MetricQueryRepository, points, snapshots);
  return { service, steps, snapshotCalls, snapshot };
}

const input = (contentId: string): ContentInput => ({
  contentId,
  durationS: 10,
  qualityScore: 0.5,
  aestheticScore: 0.5,
  captionLengthChars: 0,
  ctaInFirst5s: false,
  hashtagCount: 0,
  metadata: {},
});

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(AppError);
    return (err as AppError).kind;
  }
  throw new Error('expected an AppError');
}

describe('metrics service (in-memory repositories)', () => {
  it('registers content, reads it back and pages through it with bound tokens', async () => {
    const { service } = inMemory();
    for (const id of ['c', 'a', 'b']) await service.registerContent('t', input(id));
    expect((await service.registerContent('t', input('a'))).created).to.equal(false);
    expect((await service.getContent('t', 'b')).features.qualityScore).to.equal(0.5);
    expect(await kindOf(service.getContent('t', 'missing'))).to.equal('not_found');
    const first = await service.listContent('t', 2, '');
    expect(first.contents.map((c) => c.contentId)).to.deep.equal(['a', 'b']);
    const second = await service.listContent('t', 2, first.nextPageToken);
    expect(second).to.deep.include({ nextPageToken: '' });
    expect(second.contents.map((c) => c.contentId)).to.deep.equal(['c']);
  });

  it('deletes a content’s points through the embedding port before its metric data, and nothing for unknown content', async () => {
    const { service, steps } = inMemory();
    await service.registerContent('t', input('v1'));
    expect(await service.deleteContent('t', 'v1')).to.deep.equal({ postsDeletedCount: 2, recordsDeletedCount: 7, pointsDeletedCount: 3 });
    expect(steps).to.deep.equal(['points:v1', 'metrics:v1']);
    expect(await kindOf(service.deleteContent('t', 'v1'))).to.equal('not_found');
    expect(steps).to.have.length(2);
  });

  it('reads daily snapshots through the learning port', async () => {
    const { service, snapshotCalls, snapshot } = inMemory();
    expect(await service.listDailySnapshots('t', { startDay: '2026-01-01', endDay: '2026-01-03', platform: 'tiktok' })).to.deep.equal([snapshot]);
    expect(snapshotCalls).to.deep.equal([['t', '2026-01-01', '2026-01-03', 'tiktok']]);
  });
});

describe('metrics ingest service (in-memory repository)', () => {
  const spec = familyOfName('engagement');
  /** A valid engagement record; another `likes` is another payload (another hash, encoded by the service). */
  const record = (index: number, recordId: string, likes: number): ValidRecord => ({
    index,
    recordId,
    spec,
    observedMs: 0,
    values: spec.columns.map((c) =>
      c.column === 'post_id' ? 'p1' : c.column === 'likes' ? likes : c.type === 'platform' ? 'tiktok' : c.type === 'jsonb' ? {} : 0,
    ),
  });

  /** A ledger in a Map: a new id is written, a known id is reported with its stored hash. */
  function ledgerRepository() {
    const ledger = new Map<string, Buffer>();
    const repository = {
      async writeRecords(_tenantId: string, records: readonly PreparedRecord[], keep: (results: readonly StoredRecordResult[]) => boolean) {
        const results: StoredRecordResult[] = records.map((r) =>
          ledger.has(r.recordId) ? { kind: 'id_taken', storedHash: ledger.get(r.recordId)! } : { kind: 'written' },
        );
        const committed = keep(results);
        if (committed) {
          records.forEach((r, i) => {
            if (results[i].kind === 'written') ledger.set(r.recordId, r.hash);
          });
        }
        return { results, committed };
      },
    };
    return new MetricsIngestService(repository as unknown as MetricIngestRepository);
  }

  it('counts accepted, duplicate and conflicting records, and writes nothing of an all-or-nothing batch with a conflict', async () => {
    const ingest = ledgerRepository();
    const first = await ingest.recordMetrics('t', { valid: [record(0, 'a', 1), record(1, 'b', 1)], rejected: [] }, false);
    expect(first).to.deep.include({ acceptedCount: 2, duplicateCount: 0, rejectedCount: 0 });
    const again = await ingest.recordMetrics('t', { valid: [record(0, 'a', 1), record(1, 'b', 2), record(2, 'c', 1)], rejected: [] }, true);
    expect(again).to.deep.include({ acceptedCount: 0, duplicateCount: 1, rejectedCount: 1 });
    expect(again.rejected[0]).to.include({ index: 1, field: 'record_id' });
    const streamed = await ingest.streamMetrics(
      't',
      (async function* () {
        yield { valid: [record(0, 'c', 1)], rejected: [{ index: 1, recordId: 'x', field: 'observe_time', reason: 'bad' }] };
        yield { valid: [record(2, 'a', 1)], rejected: [] };
      })(),
      new AbortController().signal,
    );
    expect(streamed).to.deep.include({ acceptedCount: 1, duplicateCount: 1, rejectedCount: 1 });
  });
});
