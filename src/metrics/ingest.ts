// Pure bookkeeping of a metric write: counts, the first N rejections in detail, and repeated ids in one chunk.
import type { FamilySpec } from './families.js';
import type { RecordOutcome, RejectedRecord } from './metrics.types.js';

/** A validated record ready to be staged. */
export interface PreparedRecord {
  /** Position in the request or stream, from 0. */
  index: number;
  recordId: string;
  spec: FamilySpec;
  observedMs: number;
  /** Column values in spec order (see `payloadValues`). */
  values: unknown[];
  /** observe time and values as binary COPY fields, encoded once (see `encodeRecord`). */
  fields: Buffer;
  /** Payload hash (version 2) of `fields`. */
  hash: Buffer;
}

/** Running totals of a write; keeps at most `maxDetailed` rejections in detail (memory stays bounded). */
export class IngestTally {
  acceptedCount = 0;
  duplicateCount = 0;
  rejectedCount = 0;
  readonly rejected: RejectedRecord[] = [];

  constructor(private readonly maxDetailed = 1000) {}

  reject(rejection: RejectedRecord): void {
    this.rejectedCount++;
    if (this.rejected.length < this.maxDetailed) this.rejected.push(rejection);
  }

  /** Counts the outcome of one record. */
  add(record: { index: number; recordId: string }, outcome: RecordOutcome): void {
    if (outcome.kind === 'accepted') this.acceptedCount++;
    else if (outcome.kind === 'duplicate') this.duplicateCount++;
    else this.reject({ index: record.index, recordId: record.recordId, field: outcome.field, reason: outcome.reason });
  }

  /** The totals; detailed rejections by position. */
  result() {
    this.rejected.sort((a, b) => a.index - b.index);
    return { acceptedCount: this.acceptedCount, duplicateCount: this.duplicateCount, rejectedCount: this.rejectedCount, rejected: this.rejected };
  }
}

/** A later occurrence of a record id already seen in the same chunk. */
export interface RepeatedRecord {
  record: PreparedRecord;
  /** Position of the first occurrence in `unique`. */
  firstPosition: number;
}

/**
 * Splits a chunk into first occurrences (to write), sorted by record id, and later occurrences of the same id
 * (resolved after). NOTE: sorted, because the ledger is written in id order anyway (see metric-ingest.repository.ts),
 * so repeats come out as neighbours without a Map of every id of the chunk.
 */
export function splitRepeats(records: readonly PreparedRecord[]): { unique: PreparedRecord[]; repeats: RepeatedRecord[] } {
  const sorted = [...records].sort(byRecordIdThenIndex);
  const unique: PreparedRecord[] = [];
  const repeats: RepeatedRecord[] = [];
  for (const record of sorted) {
    if (unique.length > 0 && unique[unique.length - 1].recordId === record.recordId) repeats.push({ record, firstPosition: unique.length - 1 });
    else unique.push(record);
  }
  return { unique, repeats };
}

function byRecordIdThenIndex(a: PreparedRecord, b: PreparedRecord): number {
  if (a.recordId !== b.recordId) return a.recordId < b.recordId ? -1 : 1;
  return a.index - b.index;
}

/** Rejection of a record whose id is already used by a record with another payload. */
export function conflictOutcome(recordId: string): RecordOutcome {
  return {
    kind: 'rejected',
    field: 'record_id',
    reason: `record_id "${recordId}" is already used by a record with a different payload; use a new record_id`,
  };
}

/**
 * The outcome of a repeated id given its first occurrence's: a different payload is a conflict; the same payload
 * is a duplicate when the first was written (or was itself a duplicate), and shares the first's rejection otherwise.
 */
export function repeatOutcome(repeat: RepeatedRecord, first: PreparedRecord, firstOutcome: RecordOutcome): RecordOutcome {
  if (!repeat.record.hash.equals(first.hash)) return conflictOutcome(repeat.record.recordId);
  return firstOutcome.kind === 'rejected' ? firstOutcome : { kind: 'duplicate' };
}
