// Writes of metric records: RecordMetrics (one batch) and StreamMetrics (any length, written in chunks).
import { AppError } from '../../errors.js';
import { conflictOutcome, IngestTally, outcomeOf, repeatOutcome, splitRepeats } from './ingest-tally.js';
import type { MetricIngestRepository } from './record-ingest.repository.js';
import { prepared } from './record-hash.js';
import type { PreparedRecord, RecordChunk, RecordOutcome, StoredRecordResult, WriteSummary } from '../metrics.types.js';

/** Records staged and written per transaction of a stream: big enough for COPY to pay, small enough for memory. */
export const STREAM_CHUNK_RECORDS = 5000;
/** Chunks of a stream written at once (each on a pooled connection of its own). */
export const MAX_CHUNKS_IN_FLIGHT = 2;
/** Rejections a stream reports in detail; later ones are only counted. */
export const MAX_DETAILED_REJECTIONS = 1000;

/** Told the totals of every finished write (the process's /metrics counts ingested rows by outcome). */
export type IngestObserver = (summary: WriteSummary) => void;

export class MetricsIngestService {
  constructor(
    private readonly repository: MetricIngestRepository,
    private readonly chunkRecords = STREAM_CHUNK_RECORDS,
    private readonly observer?: IngestObserver,
  ) {}

  private finish(tally: IngestTally): WriteSummary {
    const summary = tally.result();
    this.observer?.(summary);
    return summary;
  }

  /**
   * Writes one batch (validated at the edge: `batch.rejected` holds the records it refused). Valid records are
   * kept unless `allOrNothing`, in which case any rejection means nothing is written (accepted_count 0) and the
   * rejections say why.
   */
  async recordMetrics(tenantId: string, batch: RecordChunk, allOrNothing: boolean): Promise<WriteSummary> {
    const tally = new IngestTally(Number.POSITIVE_INFINITY);
    for (const rejection of batch.rejected) tally.reject(rejection);
    if (allOrNothing && tally.rejectedCount > 0) return this.finish(tally);
    countOutcomes(tally, await this.writeChunk(tenantId, batch.valid.map(prepared), allOrNothing));
    return this.finish(tally);
  }

  /**
   * Consumes a stream of validated messages with `for await` (so the client is paused while the database is behind),
   * writing every `chunkRecords` valid records in one transaction. Each chunk commits on its own: a stream cut short keeps
   * what was written, and re-sending it all counts those records as duplicates. Up to MAX_CHUNKS_IN_FLIGHT chunks
   * are written at once, on connections of their own, while the next one is read and validated; outcomes are still
   * counted in stream order. Memory stays bounded by the chunk size (MAX_CHUNKS_IN_FLIGHT + 1 chunks at most) and
   * the first MAX_DETAILED_REJECTIONS rejections.
   */
  async streamMetrics(tenantId: string, messages: AsyncIterable<RecordChunk>, signal: AbortSignal): Promise<WriteSummary> {
    const tally = new IngestTally(MAX_DETAILED_REJECTIONS);
    let chunk: PreparedRecord[] = [];
    // NOTE: the server sat idle ≈ 40 % of a stream waiting on one chunk's transaction at a time; two transactions
    // overlap one's round trips and commit with the other's work. Concurrent chunks are safe: the ledger claims
    // ids in order, so a later chunk repeating an id waits for the earlier one and then sees it as written.
    const inFlight: Promise<CountedOutcomes>[] = [];
    const countOldest = async () => countOutcomes(tally, await inFlight.shift()!);
    const write = async (records: PreparedRecord[]) => {
      if (inFlight.length >= MAX_CHUNKS_IN_FLIGHT) await countOldest();
      throwIfAborted(signal);
      const written = this.writeChunk(tenantId, records, false);
      written.catch(() => undefined); // observed when counted, or awaited below on failure
      inFlight.push(written);
    };
    try {
      for await (const message of messages) {
        for (const rejection of message.rejected) tally.reject(rejection);
        for (const record of message.valid) chunk.push(prepared(record));
        if (chunk.length >= this.chunkRecords) {
          await write(chunk);
          chunk = [];
        }
      }
      if (chunk.length > 0) await write(chunk);
      while (inFlight.length > 0) await countOldest();
    } catch (err) {
      // The call ends only when no chunk is still being written.
      await Promise.allSettled(inFlight);
      throw err;
    }
    return this.finish(tally);
  }

  /** Writes one chunk; returns every record's outcome to count, in index order. */
  private async writeChunk(tenantId: string, records: PreparedRecord[], allOrNothing: boolean): Promise<CountedOutcomes> {
    const { unique, repeats } = splitRepeats(records);
    const conflicts = repeats.filter((r) => !r.record.hash.equals(unique[r.firstPosition].hash));
    if (allOrNothing && conflicts.length > 0) {
      return conflicts.map((c): [PreparedRecord, RecordOutcome] => [c.record, conflictOutcome(c.record.recordId)]);
    }
    const { outcomes, committed } = unique.length > 0 ? await this.write(tenantId, unique, allOrNothing) : { outcomes: [], committed: true };
    const results: CountedOutcomes = unique.map((r, i) => [r, outcomes[i]]);
    for (const repeat of repeats) {
      results.push([repeat.record, repeatOutcome(repeat, unique[repeat.firstPosition], outcomes[repeat.firstPosition])]);
    }
    results.sort((a, b) => a[0].index - b[0].index);
    // A rolled-back all-or-nothing write wrote nothing: its would-be accepted records are not counted.
    return committed ? results : results.filter(([, outcome]) => outcome.kind !== 'accepted');
  }

  /** Writes records with distinct ids; with `allOrNothing`, rolled back (`committed` false) when any is rejected. */
  private async write(tenantId: string, records: PreparedRecord[], allOrNothing: boolean): Promise<{ outcomes: RecordOutcome[]; committed: boolean }> {
    let outcomes: RecordOutcome[] | undefined;
    const keep = (results: readonly StoredRecordResult[]) => {
      outcomes = results.map((result, i) => outcomeOf(records[i], result));
      return !(allOrNothing && outcomes.some((o) => o.kind === 'rejected'));
    };
    const { results, committed } = await this.repository.writeRecords(tenantId, records, keep);
    return { outcomes: outcomes ?? results.map((result, i) => outcomeOf(records[i], result)), committed };
  }
}

/** Outcomes of a chunk's records, in index order. */
type CountedOutcomes = Array<[PreparedRecord, RecordOutcome]>;

function countOutcomes(tally: IngestTally, results: CountedOutcomes): void {
  for (const [record, outcome] of results) tally.add(record, outcome);
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError('cancelled', 'the stream was cancelled; records of chunks already written are kept, re-send the rest');
}
