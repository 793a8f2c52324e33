// The response byte budget of a search call (LIMIT_MAX_RESPONSE_BYTES): what an answer may still take, reserved from
// top_k before any search runs and charged as hits arrive; and the process's bound on the bytes of all answers being
// built at once (LIMIT_MAX_INFLIGHT_RESPONSE_BYTES), which every call's budget draws from. Pure.
import { resourceExhausted } from '../../errors.js';
import type { StoredPoint } from '../embedding.types.js';

/** Bytes of a hit besides its ids, vector and metadata (score, distance, times, field tags), rounded up. */
export const HIT_OVERHEAD_BYTES = 64;

/** Bytes of one evidence entry of a content hit besides its point id (score, rank, field tags), rounded up. */
export const EVIDENCE_OVERHEAD_BYTES = 24;

/** A byte count for a message: KiB below 1 MiB, else MiB. */
const size = (bytes: number) => (bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/** The bytes a hit's point adds to an answer beyond what was reserved for it: its ids and its metadata as JSON. */
export function pointAnswerBytes(point: StoredPoint): number {
  return point.id.length + point.contentId.length + JSON.stringify(point.metadata).length;
}

/**
 * The bytes of the answers being built by all calls of the process at once: a call takes what it reserves and charges
 * and gives it back when it ends (ResponseBudget.release). Bounds the memory of many concurrent calls each just under
 * the per-call limit (12 SearchBatch answers once took a server from 335 MB to 991 MB).
 */
export class InflightAnswerBytes {
  private used = 0;
  constructor(readonly limitBytes: number) {}

  /** Bytes taken now. */
  get inUseBytes(): number {
    return this.used;
  }

  /** Takes `bytes`, or returns false when they would pass the limit (nothing is taken then). */
  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.limitBytes) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** The bytes an answer may still take; RESOURCE_EXHAUSTED, saying what to change, once they would run out. */
export class ResponseBudget {
  private used = 0;
  /** Bytes taken from the process's in-flight bound, given back by release(). */
  private taken = 0;
  constructor(
    private readonly limitBytes: number,
    private readonly rpc: string,
    private readonly inflight?: InflightAnswerBytes,
  ) {}

  /** Takes `bytes` from the process's bound; RESOURCE_EXHAUSTED (retry later) when other calls' answers hold it. */
  private take(bytes: number): void {
    if (!this.inflight || bytes <= 0) return;
    if (!this.inflight.tryTake(bytes)) {
      throw resourceExhausted(
        `${this.rpc} needs ${size(bytes)} more for its answer while other calls' answers hold ${size(this.inflight.inUseBytes)} of ${size(this.inflight.limitBytes)} (LIMIT_MAX_INFLIGHT_RESPONSE_BYTES): retry shortly with backoff, or ask for less (lower top_k, vectors off)`,
      );
    }
    this.taken += bytes;
  }

  /** Gives back what the call took from the process's bound (call it once the call ends, whatever the outcome). */
  release(): void {
    this.inflight?.give(this.taken);
    this.taken = 0;
  }

  /** Counts bytes known before the work starts; refuses the request up front when they alone are too many. */
  reserve(bytes: number): void {
    if (bytes > this.limitBytes) {
      throw resourceExhausted(
        `${this.rpc} could answer ${size(bytes)} before metadata (top_k × (vector + hit) over its searches); at most ${size(this.limitBytes)} (LIMIT_MAX_RESPONSE_BYTES): lower top_k, leave with_vectors off or split the batch`,
      );
    }
    this.take(bytes);
    this.used = bytes;
  }

  /** The bytes still free: work that finds more than these can stop, the charge would refuse them. */
  get remainingBytes(): number {
    return this.limitBytes - this.used;
  }

  /** Counts bytes found while working; stops the request once the answer would pass the limit. */
  charge(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limitBytes) {
      throw resourceExhausted(
        `${this.rpc} answer passed ${size(this.limitBytes)} (LIMIT_MAX_RESPONSE_BYTES) with its points' metadata: lower top_k or split the batch`,
      );
    }
    this.take(bytes);
  }
}
