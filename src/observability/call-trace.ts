// Bench-only trace of where a call's time goes: stamps of a monotonic clock per stage of each call, keyed by the
// call's request id, written as JSON when the server stops. Off (no tracer, nothing stamped) unless TRACE_FILE is set.
// NOTE: process.hrtime.bigint() reads CLOCK_MONOTONIC, which every process on one machine shares, so the bench
// client's stamps and these can be put on one time line.
import { writeFileSync } from 'node:fs';

/** One stamp: the stage and the monotonic time in nanoseconds (as a decimal string: JSON has no bigint). */
export type Stamp = readonly [stage: string, ns: string];

/** Collects stamps per request id; calls beyond `maxCalls` are not kept (a trace is a few hundred calls). */
export class CallTracer {
  private readonly calls = new Map<string, Stamp[]>();

  constructor(
    private readonly file: string,
    private readonly maxCalls = 100_000,
  ) {}

  /** Stamps `stage` of the call `requestId` now (or at `atNs`). */
  stamp(requestId: string | undefined, stage: string, atNs: bigint = process.hrtime.bigint()): void {
    if (requestId === undefined) return;
    let stamps = this.calls.get(requestId);
    if (!stamps) {
      if (this.calls.size >= this.maxCalls) return;
      stamps = [];
      this.calls.set(requestId, stamps);
    }
    stamps.push([stage, atNs.toString()]);
  }

  /** A stamper bound to one call, for code that does not know the request id (the database session). */
  forCall(requestId: string): (stage: string) => void {
    return (stage) => this.stamp(requestId, stage);
  }

  /** Writes every call's stamps as `{ "<request id>": [[stage, ns], …] }`. */
  flush(): void {
    writeFileSync(this.file, JSON.stringify(Object.fromEntries(this.calls)));
  }
}
