// The span of instants the service accepts for things that happened or will happen (publish and observe times):
// from 2000-01-01, so both back-ends store and read them alike (PGlite misreads years 1–99) and every answer fits
// a protobuf Timestamp.

/** The earliest publish or observe time accepted. */
export const EARLIEST_TIME = new Date('2000-01-01T00:00:00Z');
/** How far ahead a planned time may be (a post scheduled a year out is the furthest anyone plans). */
export const MAX_PLAN_AHEAD_MS = 366 * 86_400_000;
/** The first and last instants a protobuf Timestamp can carry. */
const FIRST_TIMESTAMP_MS = new Date('0001-01-01T00:00:00Z').getTime();
export const LATEST_TIMESTAMP = new Date('9999-12-31T23:59:59.999Z');

/**
 * Why `time` is outside [EARLIEST_TIME, `latest`], or undefined when it is inside. The reason reads after the
 * field's name, e.g. `publish_time 1950-01-01T00:00:00.000Z is before 2000-01-01; …`.
 */
export function timeProblem(time: Date, latest: Date, latestWhy: string): string | undefined {
  const ms = time.getTime();
  if (!Number.isFinite(ms)) return 'is not a valid time';
  if (ms < EARLIEST_TIME.getTime()) return `${time.toISOString()} is before 2000-01-01; send a real time (UTC)`;
  if (ms > latest.getTime()) return `${time.toISOString()} is after ${latest.toISOString()} (${latestWhy})`;
  return undefined;
}

/** Why a filter bound is not a time a protobuf Timestamp can carry (0001-01-01 .. 9999-12-31), or undefined. */
export function timestampProblem(time: Date): string | undefined {
  const ms = time.getTime();
  if (!Number.isFinite(ms) || ms < FIRST_TIMESTAMP_MS || ms > LATEST_TIMESTAMP.getTime()) {
    return 'is not a valid timestamp (0001-01-01 .. 9999-12-31 UTC)';
  }
  return undefined;
}
