// Writes of metric records: RecordMetrics (one batch) and StreamMetrics (any length, written in chunks).
import type { Db } from '../db/connect.js';
import { AppError } from '../errors.js';
import { conflictOutcome, IngestTally, repeatOutcome, splitRepeats, type PreparedRecord } from './ingest.js';
import { writeRecords } from './metric-ingest.repository.js';
import type { MetricRecord, MetricsLimits, RecordOutcome, RejectedRecord } from './metrics.types.js';
import { isRejection, prepareRecord } from './record.validate.js';

/** Records staged and written per transaction of a stream: big enough for COPY to pay, small enough for memory. */
export const STREAM_CHUNK_RECORDS = 5000;
/** Chunks of a stream written at once (each on a pooled connection of its own). */
export const MAX_CHUNKS_IN_FLIGHT = 2;
/** Rejections a stream reports in detail; later ones are only counted. */
export const MAX_DETAILED_REJECTIONS = 1000;

/** Counts and detailed rejections of a write. */
export interface WriteSummary {
  acceptedCount: number;
  duplicateCount: number;
  rejectedCount: number;
  rejected: RejectedRecord[];
}

export class MetricsIngestService {
  constructor(
    private readonly db: Db,
    private readonly limits: MetricsLimits,
    private readonly chunkRecords = STREAM_CHUNK_RECORDS,
  ) {}

  /**
   * Writes one batch (already checked against the batch size). Valid records are kept unless `allOrNothing`,
   * in which case any rejection means nothing is written (accepted_count 0) and the rejections say why.
   */
  async recordMetrics(tenantId: string, records: MetricRecord[], allOrNothing: boolean): Promise<WriteSummary> {
    const tally = new IngestTally(Number.POSITIVE_INFINITY);
    const prepared = this.prepare(records, 0, tally);
    if (allOrNothing && tally.rejectedCount > 0) return tally.result();
    countOutcomes(tally, await this.writeChunk(tenantId, prepared, allOrNothing));
    return tally.result();
  }

  /**
   * Consumes a stream of messages with `for await` (so the client is paused while the database is behind),
   * writing every `chunkRecords` valid records in one transaction. Each chunk commits on its own: a stream cut short keeps
   * what was written, and re-sending it all counts those records as duplicates. Up to MAX_CHUNKS_IN_FLIGHT chunks
   * are written at once, on connections of their own, while the next one is read and validated; outcomes are still
   * counted in stream order. Memory stays bounded by the chunk size (MAX_CHUNKS_IN_FLIGHT + 1 chunks at most) and
   * the first MAX_DETAILED_REJECTIONS rejections.
   */
  async streamMetrics(tenantId: string, messages: AsyncIterable<{ records: MetricRecord[] }>, signal: AbortSignal): Promise<WriteSummary> {
    const tally = new IngestTally(MAX_DETAILED_REJECTIONS);
    let index = 0;
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
        for (const record of this.prepare(message.records, index, tally)) chunk.push(record);
        index += message.records.length;
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
    return tally.result();
  }

  /** Validates records numbered from `firstIndex`; rejections go to the tally. */
  private prepare(records: MetricRecord[], firstIndex: number, tally: IngestTally): PreparedRecord[] {
    const nowMs = Date.now();
    const prepared: PreparedRecord[] = [];
    records.forEach((record, i) => {
      const result = prepareRecord(record, firstIndex + i, nowMs, this.limits);
      if (isRejection(result)) tally.reject(result);
      else prepared.push(result);
    });
    return prepared;
  }

  /** Writes one chunk; returns every record's outcome to count, in index order. */
  private async writeChunk(tenantId: string, records: PreparedRecord[], allOrNothing: boolean): Promise<CountedOutcomes> {
    const { unique, repeats } = splitRepeats(records);
    const conflicts = repeats.filter((r) => !r.record.hash.equals(unique[r.firstPosition].hash));
    if (allOrNothing && conflicts.length > 0) {
      return conflicts.map((c): [PreparedRecord, RecordOutcome] => [c.record, conflictOutcome(c.record.recordId)]);
    }
    const { outcomes, committed } = unique.length > 0 ? await writeRecords(this.db, tenantId, unique, allOrNothing) : { outcomes: [], committed: true };
    const results: CountedOutcomes = unique.map((r, i) => [r, outcomes[i]]);
    for (const repeat of repeats) {
      results.push([repeat.record, repeatOutcome(repeat, unique[repeat.firstPosition], outcomes[repeat.firstPosition])]);
    }
    results.sort((a, b) => a[0].index - b[0].index);
    // A rolled-back all-or-nothing write wrote nothing: its would-be accepted records are not counted.
    return committed ? results : results.filter(([, outcome]) => outcome.kind !== 'accepted');
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
