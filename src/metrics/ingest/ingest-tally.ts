// Pure bookkeeping of a metric write: counts, the first N rejections in detail, and repeated ids in one chunk.
import { hashMatches } from './record-hash.js';
import type { PreparedRecord, RecordOutcome, RejectedRecord, StoredRecordResult, WriteSummary } from '../metrics.types.js';

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
  result(): WriteSummary {
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
 * (resolved after). NOTE: sorted, because the ledger is written in id order anyway (see record-ingest.repository.ts),
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

const CONCURRENT_ROLLBACK: RecordOutcome = {
  kind: 'rejected',
  field: 'record_id',
  reason: 'record was not written because of a concurrent write; send it again',
};

/** The outcome of a record from what the database did with it. */
export function outcomeOf(record: PreparedRecord, stored: StoredRecordResult): RecordOutcome {
  switch (stored.kind) {
    case 'written':
      return { kind: 'accepted' };
    case 'unknown_post':
      return {
        kind: 'rejected',
        field: `${record.spec.name}.post_id`,
        reason: `post "${record.values[0] as string}" is not registered; call RegisterPost first`,
      };
    case 'id_taken':
      if (!stored.storedHash) return CONCURRENT_ROLLBACK; // claimed by a concurrent writer that then rolled back
      return hashMatches(record, stored.storedHash) ? { kind: 'duplicate' } : conflictOutcome(record.recordId);
  }
}
