// Writes of metric records: RecordMetrics (one batch) and StreamMetrics (any length, written in chunks).
import type { Db } from '../db/connect.js';
import { AppError } from '../errors.js';
import { conflictOutcome, IngestTally, repeatOutcome, splitRepeats, type PreparedRecord } from './ingest.js';
import { writeRecords } from './metric-ingest.repository.js';
import type { MetricRecord, MetricsLimits, RecordOutcome, RejectedRecord } from './metrics.types.js';
import { isRejection, prepareRecord } from './record.validate.js';

/** Records staged and written per transaction of a stream: big enough for COPY to pay, small enough for memory. */
export const STREAM_CHUNK_RECORDS = 5000;
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
    await this.writeChunk(tenantId, prepared, tally, allOrNothing);
    return tally.result();
  }

  /**
   * Consumes a stream of messages with `for await` (so the client is paused while the database is behind),
   * writing every `chunkRecords` valid records in one transaction. Each chunk commits on its own: a stream cut short keeps
   * what was written, and re-sending it all counts those records as duplicates. Memory stays bounded by the chunk
   * size (two chunks at most) and the first MAX_DETAILED_REJECTIONS rejections.
   */
  async streamMetrics(tenantId: string, messages: AsyncIterable<{ records: MetricRecord[] }>, signal: AbortSignal): Promise<WriteSummary> {
    const tally = new IngestTally(MAX_DETAILED_REJECTIONS);
    let index = 0;
    let chunk: PreparedRecord[] = [];
    // NOTE: one chunk is written while the next one is read and validated, so decoding overlaps the database.
    let inFlight: Promise<void> = Promise.resolve();
    const write = async (records: PreparedRecord[]) => {
      await inFlight;
      throwIfAborted(signal);
      inFlight = this.writeChunk(tenantId, records, tally, false);
      inFlight.catch(() => undefined); // observed by the next `await inFlight`
    };
    for await (const message of messages) {
      for (const record of this.prepare(message.records, index, tally)) chunk.push(record);
      index += message.records.length;
      if (chunk.length >= this.chunkRecords) {
        await write(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await write(chunk);
    await inFlight;
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

  /** Writes one chunk and counts every record's outcome, in index order. */
  private async writeChunk(tenantId: string, records: PreparedRecord[], tally: IngestTally, allOrNothing: boolean): Promise<void> {
    const { unique, repeats } = splitRepeats(records);
    const conflicts = repeats.filter((r) => !r.record.hash.equals(unique[r.firstPosition].hash));
    if (allOrNothing && conflicts.length > 0) {
      for (const c of conflicts) tally.add(c.record, conflictOutcome(c.record.recordId));
      return;
    }
    const { outcomes, committed } = unique.length > 0 ? await writeRecords(this.db, tenantId, unique, allOrNothing) : { outcomes: [], committed: true };
    const results: Array<[PreparedRecord, RecordOutcome]> = unique.map((r, i) => [r, outcomes[i]]);
    for (const repeat of repeats) {
      results.push([repeat.record, repeatOutcome(repeat, unique[repeat.firstPosition], outcomes[repeat.firstPosition])]);
    }
    results.sort((a, b) => a[0].index - b[0].index);
    for (const [record, outcome] of results) {
      // A rolled-back all-or-nothing write wrote nothing: its would-be accepted records are not counted.
      if (!committed && outcome.kind === 'accepted') continue;
      tally.add(record, outcome);
    }
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError('cancelled', 'the stream was cancelled; records of chunks already written are kept, re-send the rest');
}
