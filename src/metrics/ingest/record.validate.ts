// Validation of one metric record, driven by the family table: a bad record becomes a rejection naming the field
// (e.g. "retention.completion_rate"), never a failure of the whole call.
import { LATEST_TIMESTAMP, timeProblem } from '../../domain/time.js';
import { familyOfCase, payloadValues, type FamilySpec, type PayloadCase, type Rule } from '../families.js';
import type { MetricsLimits, RecordChunk, RejectedRecord, ValidRecord } from '../metrics.types.js';
import { platformName } from '../../domain/platform.js';
import { nulProblem } from '../../domain/text.js';
import { nonFiniteProblem, rejectedStructReason } from '../../domain/struct-bounds.js';

/**
 * What validation reads of an incoming record: the contract's MetricRecord message fits it. NOTE: declared here,
 * not imported from src/gen, so that only the transport (metrics.grpc.ts, metrics.mapper.ts) sees generated code.
 */
export interface RecordRequest {
  recordId: string;
  observeTime?: Date | undefined;
  payload?: { $case: PayloadCase; value: object } | undefined;
}

export const MAX_ID_CHARS = 256;
const MAX_MESSAGE_CHARS = 4096;
const MAX_MAP_ENTRIES = 1000;
/** How far in the future an observation may be (clock skew of the sender). */
export const MAX_FUTURE_MS = 5 * 60 * 1000;
/** Slack for float rounding in "never increasing" and "sum ≤ 1" checks. */
const FLOAT_TOLERANCE = 1e-6;
const RETENTION_CURVE_POINTS = 101;
const TENTHS = 10;

/** Why an id is invalid, or undefined when it is fine. */
export function idProblem(value: unknown, required = true): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (required && value.length === 0) return 'is required (1..256 characters)';
  if (value.length > MAX_ID_CHARS) return `has ${value.length} characters; at most ${MAX_ID_CHARS} allowed`;
  return nulProblem(value);
}

/** Why a fraction is invalid, or undefined. */
export function rateProblem(value: number): string | undefined {
  return Number.isFinite(value) && value >= 0 && value <= 1 ? undefined : `is ${value}; must be a fraction between 0 and 1`;
}

/**
 * The largest magnitude a measured number may have. NOTE: 1e308 is finite, but the daily run sums and squares
 * these values; bounded at the edge, no stored value can overflow a learning run into Infinity or NaN.
 */
export const MAX_MAGNITUDE = 1e15;

function finiteProblem(value: number): string | undefined {
  return Number.isFinite(value) && Math.abs(value) <= MAX_MAGNITUDE ? undefined : `is ${value}; must be a finite number within ±1e15`;
}

function nonNegativeProblem(value: number): string | undefined {
  return Number.isFinite(value) && value >= 0 && value <= MAX_MAGNITUDE ? undefined : `is ${value}; must be a finite number in 0..1e15`;
}

function countProblem(value: number): string | undefined {
  return Number.isSafeInteger(value) && value >= 0 ? undefined : `is ${value}; must be a whole number between 0 and ${Number.MAX_SAFE_INTEGER}`;
}

function listProblem(values: number[], expected: number, what: string): string | undefined {
  if (values.length === 0) return undefined;
  if (values.length !== expected) return `has ${values.length} values; must have exactly ${expected} (${what}) or be empty`;
  // NOTE: checked as stored (real[]: float32), without copying the array.
  const bad = values.findIndex((v) => rateProblem(Math.fround(v)) !== undefined);
  return bad >= 0 ? `value ${bad} is ${Math.fround(values[bad])}; every value must be a fraction between 0 and 1` : undefined;
}

function retentionCurveProblem(values: number[]): string | undefined {
  const problem = listProblem(values, RETENTION_CURVE_POINTS, 'one per percent of the video, 0 % to 100 %');
  if (problem) return problem;
  for (let i = 1; i < values.length; i++) {
    const previous = Math.fround(values[i - 1]);
    const current = Math.fround(values[i]);
    if (current > previous + FLOAT_TOLERANCE) {
      return `increases at ${i} % (${previous} → ${current}); the fraction still watching can only stay or fall`;
    }
  }
  return undefined;
}

function mapProblem(map: Record<string, number>, fractions: boolean): string | undefined {
  const entries = Object.entries(map);
  if (entries.length > MAX_MAP_ENTRIES) return `has ${entries.length} entries; at most ${MAX_MAP_ENTRIES} allowed`;
  let sum = 0;
  for (const [key, value] of entries) {
    const keyProblem = idProblem(key);
    if (keyProblem) return `key "${key.slice(0, 40)}" ${keyProblem}`;
    const valueProblem = fractions ? rateProblem(value) : finiteProblem(value);
    if (valueProblem) return `"${key}" ${valueProblem}`;
    sum += value;
  }
  if (fractions && sum > 1 + FLOAT_TOLERANCE) return `fractions sum to ${sum}; the sum must be at most 1`;
  return undefined;
}

/** Why a struct (JSON object) is too big, or undefined. */
export function structProblem(value: unknown, maxBytes: number): string | undefined {
  const rejected = rejectedStructReason(value);
  if (rejected) return rejected;
  const json = JSON.stringify(value ?? {});
  const bytes = Buffer.byteLength(json, 'utf8');
  return bytes > maxBytes
    ? `is ${bytes} bytes as JSON; at most ${maxBytes} allowed (LIMIT_MAX_METADATA_BYTES)`
    : (nulProblem(value) ?? nonFiniteProblem(value, json));
}

/** Why `value` breaks `rule`, or undefined when it is fine. */
export function ruleProblem(rule: Rule, value: unknown, limits: MetricsLimits): string | undefined {
  switch (rule) {
    case 'id':
      return idProblem(value);
    case 'optionalId':
      return idProblem(value, false);
    case 'message':
      return typeof value === 'string' && value.length <= MAX_MESSAGE_CHARS ? nulProblem(value) : `must be at most ${MAX_MESSAGE_CHARS} characters`;
    case 'count':
      return countProblem(value as number);
    case 'rate':
      return rateProblem(value as number);
    case 'nonNegative':
      return nonNegativeProblem(value as number);
    case 'finite':
      return finiteProblem(value as number);
    case 'retentionCurve':
      return retentionCurveProblem(value as number[]);
    case 'tenths':
      return listProblem(value as number[], TENTHS, 'one per tenth of the video');
    case 'fractionMap':
      return mapProblem(value as Record<string, number>, true);
    case 'numberMap':
      return mapProblem(value as Record<string, number>, false);
    case 'struct':
      return structProblem(value, limits.maxMetadataBytes);
    case 'platform':
      return platformName(value as number) ? undefined : `is ${value}; must be one of TIKTOK, INSTAGRAM, YOUTUBE, FACEBOOK, X`;
    case 'any':
      return undefined;
  }
}

/**
 * Validates one record of the contract (its family and normalised domain values), or says why it is rejected.
 * NOTE: no encoding here: the service encodes the stored form and the payload hash (record-hash.ts). `index` is its position in the request or stream; `nowMs` bounds observe_time.
 */
export function validateRecord(record: RecordRequest, index: number, nowMs: number, limits: MetricsLimits): ValidRecord | RejectedRecord {
  const recordId = typeof record.recordId === 'string' ? record.recordId : '';
  const idIssue = idProblem(record.recordId);
  if (idIssue) return rejection(index, recordId, 'record_id', `record_id ${idIssue}`);
  const observedMs = record.observeTime?.getTime();
  if (observedMs === undefined || !Number.isFinite(observedMs)) return rejection(index, recordId, 'observe_time', 'observe_time is required');
  if (observedMs > nowMs + MAX_FUTURE_MS) {
    return rejection(
      index,
      recordId,
      'observe_time',
      `observe_time ${record.observeTime!.toISOString()} is more than 5 minutes in the future; send the time of observation`,
    );
  }
  // NOTE: the future bound is checked above with its own message; here only the lower bound can still fail.
  const observeProblem = timeProblem(record.observeTime!, LATEST_TIMESTAMP, 'the last time a protobuf Timestamp carries');
  if (observeProblem) return rejection(index, recordId, 'observe_time', `observe_time ${observeProblem}`);
  if (!record.payload)
    return rejection(
      index,
      recordId,
      'payload',
      'no payload: set exactly one of retention, engagement, viewer_behavior, engine_performance, satellite_performance, meta_learning_score',
    );
  const spec = familyOfCase(record.payload.$case);
  const values = payloadValues(spec, record.payload.value);
  for (let i = 0; i < spec.columns.length; i++) {
    const column = spec.columns[i];
    const problem = ruleProblem(column.rule, values[i], limits);
    if (problem) return rejection(index, recordId, `${spec.name}.${column.column}`, `${spec.name}.${column.column} ${problem}`);
  }
  if (spec.platformColumn) toPlatformNames(spec, values);
  return { index, recordId, spec, observedMs, values };
}

/** The contract's platform enum numbers (valid: checked by the rules) → domain platform names, in place. */
function toPlatformNames(spec: FamilySpec, values: unknown[]): void {
  for (let i = 0; i < spec.columns.length; i++) if (spec.columns[i].type === 'platform') values[i] = platformName(values[i] as number);
}

// NOTE: a function, not a closure per record: the dev runner (tsx, esbuild keepNames) wraps every named closure
// in a __name() call, which cost ≈ 4 % of a stream's server CPU.
function rejection(index: number, recordId: string, field: string, reason: string): RejectedRecord {
  return { index, recordId: recordId.slice(0, MAX_ID_CHARS), field, reason };
}

/** True when `validateRecord` rejected the record. */
export function isRejection(result: ValidRecord | RejectedRecord): result is RejectedRecord {
  return 'reason' in result;
}

/** Validates the records of a request or stream message, numbered from `firstIndex`: valid ones and rejections. */
export function validateRecords(records: readonly RecordRequest[], firstIndex: number, nowMs: number, limits: MetricsLimits): RecordChunk {
  const chunk: RecordChunk = { valid: [], rejected: [] };
  for (let i = 0; i < records.length; i++) {
    const result = validateRecord(records[i], firstIndex + i, nowMs, limits);
    if (isRejection(result)) chunk.rejected.push(result);
    else chunk.valid.push(result);
  }
  return chunk;
}
