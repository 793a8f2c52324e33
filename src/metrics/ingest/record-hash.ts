// Canonical encoding of a metric record and its payload hash: the same record always hashes the same, whatever
// the order of map keys or the language of the sender.
import { createHash, hash } from 'node:crypto';
import { BinaryCopyWriter } from '../../db/binary-copy.js';
import type { ColumnType, FamilySpec } from '../families.js';
import type { PreparedRecord, ValidRecord } from '../metrics.types.js';
import { platformNumber } from '../../domain/platform.js';

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    // NOTE: arrays of plain values (retention curves: 101 numbers) are returned as they are; copying them
    // element by element was a good part of the hashing cost of a stream (see docs/benchmarks.md).
    return value.some(needsSorting) ? value.map(sortKeys) : value;
  }
  if (needsSorting(value)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/** Objects and arrays may hold keys to sort; Dates and plain values do not. */
function needsSorting(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !(value instanceof Date);
}

/** A record's stored fields, encoded once, and the payload hash computed from them. */
export interface EncodedRecord {
  /** observe time then the family's columns, as binary COPY fields (what follows tenant_id and record_id). */
  fields: Buffer;
  /** sha256 of a family tag and `fields` (payload hash version 2). */
  hash: Buffer;
}

/**
 * Where records are encoded: 1 MiB slabs written one after the other, each kept alive by the records that point
 * into it. NOTE: a view per record instead of a buffer of its own and a copy: allocation and copying were ≈ 5 % of
 * a stream's server CPU.
 */
const ARENA_BYTES = 1 << 20;
/** Records start in a new slab when less than this is left (a bigger record still fits: the writer grows). */
const ARENA_HEADROOM_BYTES = 64 * 1024;
let arena = new BinaryCopyWriter(ARENA_BYTES, false);
const hashTags = new Map<string, Buffer>();

function writeValue(writer: BinaryCopyWriter, type: ColumnType, value: unknown): void {
  switch (type) {
    case 'text':
    case 'platform':
      writer.text(value as string);
      break;
    case 'int8':
      writer.int8(value as number);
      break;
    case 'float8':
      writer.float8(value as number);
      break;
    case 'bool':
      writer.bool(value as boolean);
      break;
    case 'jsonb':
      // Sorted keys: the bytes (hence the hash) do not depend on the sender's key order; jsonb stores it the same.
      writer.jsonb(canonicalJson(value));
      break;
    case 'float4[]': {
      const values = value as number[];
      if (values.length === 0) writer.null();
      else writer.float4Array(values);
      break;
    }
  }
}

/**
 * Encodes a validated record's observe time and column values (from `payloadValues`) as binary COPY fields and
 * hashes them. The fields are what is stored (float32 curves, jsonb with sorted keys), so a record read back and
 * re-sent hashes the same; unknown fields a newer client sends take no part.
 * NOTE: hashing these bytes replaced hashing canonical JSON (`legacyRecordHash`): formatting 101 floats as text
 * per record was a quarter of a stream's CPU. Ledger rows written before keep their old hash; see `hashMatches`.
 */
export function encodeRecord(spec: FamilySpec, observedMs: number, values: readonly unknown[]): EncodedRecord {
  let tag = hashTags.get(spec.name);
  if (!tag) hashTags.set(spec.name, (tag = Buffer.from(`stakazo.metric.v2\0${spec.name}\0`)));
  if (arena.byteLength > ARENA_BYTES - ARENA_HEADROOM_BYTES) arena = new BinaryCopyWriter(ARENA_BYTES, false);
  const start = arena.byteLength;
  arena.append(tag).timestamptz(observedMs);
  for (let i = 0; i < spec.columns.length; i++) writeValue(arena, spec.columns[i].type, values[i]);
  const written = arena.written();
  // NOTE: hex then decoded is cheaper than a digest Buffer of its own (which gets a backing store per record).
  const digest = Buffer.from(hash('sha256', written.subarray(start), 'hex'), 'hex');
  return { fields: written.subarray(start + tag.length), hash: digest };
}

/** A valid record with its stored form and payload hash (see {@link encodeRecord}). */
export function prepared(record: ValidRecord): PreparedRecord {
  const { fields, hash } = encodeRecord(record.spec, record.observedMs, record.values);
  return { index: record.index, recordId: record.recordId, spec: record.spec, observedMs: record.observedMs, values: record.values, fields, hash };
}

/**
 * Payload hash version 1: sha256 of [family, observe time in ms, the column values in column order] as canonical
 * JSON (maps and structs with sorted keys, curves rounded to float32). Only compared against ledger rows written
 * before version 2, when a record's version 2 hash does not match.
 */
export function legacyRecordHash(spec: FamilySpec, observedMs: number, values: readonly unknown[]): Buffer {
  // NOTE: version 1 hashed platforms as their enum numbers.
  const normalised = values.map((v, i) => {
    const type = spec.columns[i].type;
    if (type === 'float4[]') return (v as number[]).map((x) => Math.fround(x));
    return type === 'platform' ? platformNumber(v as string) : (v ?? null);
  });
  const canonical = canonicalJson([spec.name, observedMs, ...normalised]);
  return createHash('sha256').update(canonical).digest();
}

/** True when a stored payload hash (version 2, or version 1 from an older ledger row) is the record's. */
export function hashMatches(record: PreparedRecord, storedHash: Uint8Array): boolean {
  return record.hash.equals(storedHash) || legacyRecordHash(record.spec, record.observedMs, record.values).equals(storedHash);
}
