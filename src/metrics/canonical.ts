// Canonical encoding of a metric record and its payload hash: the same record always hashes the same, whatever
// the order of map keys or the language of the sender.
import { createHash } from 'node:crypto';
import type { FamilySpec } from './families.js';

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

/**
 * sha256 of [family, observe time in ms, the column values in column order]; maps and structs with sorted keys.
 * Only stored columns take part, so unknown fields a newer client sends do not change the hash.
 */
export function recordHash(spec: FamilySpec, observedMs: number, values: readonly unknown[]): Buffer {
  const canonical = canonicalJson([spec.name, observedMs, ...values.map((v) => v ?? null)]);
  return createHash('sha256').update(canonical).digest();
}
