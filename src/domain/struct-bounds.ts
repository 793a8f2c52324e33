// Bounds on a google.protobuf.Struct (metadata, context) checked on its wire bytes BEFORE it is converted to a JS
// object: a hostile Struct (a million keys, nesting thousands deep) costs one linear scan without allocation, and is
// then a rejection of its own record (naming the field), never minutes of CPU on the event loop or a stack overflow
// that fails the whole request. See src/grpc/bounded-struct.ts (the decoder the generated code calls).

/** Most keys plus list items in one Struct, counted at every depth. */
export const STRUCT_MAX_ENTRIES = 1024;
/** Deepest nesting of objects and lists in one Struct (the Struct itself is depth 1). */
export const STRUCT_MAX_DEPTH = 16;
/** Most keys plus list items over all the Structs of one request or stream message. */
export const MESSAGE_MAX_STRUCT_ENTRIES = 100_000;
/** Largest encoded Struct decoded (bytes); anything bigger cannot fit LIMIT_MAX_METADATA_BYTES (at most 1 MiB) as JSON. */
export const STRUCT_MAX_ENCODED_BYTES = 4 * 1024 * 1024;

const REJECTED = Symbol('struct rejected before decoding');

/** What the decoder puts in place of a Struct it refused to convert: an empty object carrying the reason. */
export function rejectedStruct(reason: string): Record<string, never> {
  return Object.defineProperty({}, REJECTED, { value: reason, enumerable: false }) as Record<string, never>;
}

/** Why the decoder refused to convert this Struct, or undefined (validators check it before anything else). */
export function rejectedStructReason(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? ((value as { [REJECTED]?: string })[REJECTED] ?? undefined) : undefined;
}

/** Size of one Struct's wire encoding: its keys plus list items, and its depth. */
export interface StructShape {
  entries: number;
  depth: number;
}

// Message kinds of struct.proto, and which field of each holds a nested message.
const STRUCT = 0; // field 1: FieldsEntry
const ENTRY = 1; // field 2: Value
const VALUE = 2; // field 5: Struct, field 6: ListValue
const LIST = 3; // field 1: Value

function childKind(kind: number, field: number): number | undefined {
  if (kind === STRUCT) return field === 1 ? ENTRY : undefined;
  if (kind === ENTRY) return field === 2 ? VALUE : undefined;
  if (kind === VALUE) return field === 5 ? STRUCT : field === 6 ? LIST : undefined;
  return field === 1 ? VALUE : undefined;
}

/**
 * Why the Struct encoded in `bytes[start, end)` is out of bounds, or undefined when it is within them (or malformed:
 * the generated decoder then reports that as before). `budget` is what is left of the message's entry allowance.
 * Iterative, allocation-free apart from a stack no deeper than STRUCT_MAX_DEPTH × 3; stops at the first bound broken.
 */
export function structBoundProblem(bytes: Uint8Array, start: number, end: number, budget: number): { problem?: string; shape: StructShape } {
  const shape: StructShape = { entries: 0, depth: 1 };
  const length = end - start;
  if (length > STRUCT_MAX_ENCODED_BYTES) {
    return { problem: `is ${length} bytes encoded; at most ${STRUCT_MAX_ENCODED_BYTES} allowed`, shape };
  }
  const kinds: number[] = [STRUCT];
  const ends: number[] = [end];
  let containers = 1;
  let pos = start;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end || shift > 63) return -1;
      const byte = bytes[pos++] as number;
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  while (kinds.length > 0) {
    const top = kinds.length - 1;
    if (pos >= (ends[top] as number)) {
      if (kinds[top] === STRUCT || kinds[top] === LIST) containers--;
      kinds.pop();
      ends.pop();
      continue;
    }
    const tag = varint();
    if (tag < 0) return { shape };
    const wire = tag % 8;
    if (wire === 0) {
      if (varint() < 0) return { shape };
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else if (wire === 2) {
      const len = varint();
      if (len < 0 || pos + len > (ends[top] as number)) return { shape };
      const kind = childKind(kinds[top] as number, Math.floor(tag / 8));
      if (kind === undefined) {
        pos += len;
        continue;
      }
      if ((kinds[top] === STRUCT && kind === ENTRY) || (kinds[top] === LIST && kind === VALUE)) {
        shape.entries++;
        if (shape.entries > STRUCT_MAX_ENTRIES) {
          return { problem: `has more than ${STRUCT_MAX_ENTRIES} keys and list items; at most ${STRUCT_MAX_ENTRIES} allowed`, shape };
        }
        if (shape.entries > budget) {
          return {
            problem: `would bring the request past ${MESSAGE_MAX_STRUCT_ENTRIES} keys and list items over all its structs; send fewer records per request`,
            shape,
          };
        }
      }
      if (kind === STRUCT || kind === LIST) {
        containers++;
        if (containers > shape.depth) shape.depth = containers;
        if (containers > STRUCT_MAX_DEPTH)
          return { problem: `is nested more than ${STRUCT_MAX_DEPTH} levels deep; at most ${STRUCT_MAX_DEPTH} allowed`, shape };
      }
      kinds.push(kind);
      ends.push(pos + len);
    } else {
      return { shape };
    }
    if (pos > (ends[top] as number)) return { shape };
  }
  return { shape };
}

/** Where `value` (a decoded Struct) holds a number that is not finite (NaN, ±Infinity), as a path, or undefined. */
function nonFinitePath(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nonFinitePath(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    const found = nonFinitePath(child, path ? `${path}.${key}` : key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Why a decoded Struct cannot be stored as it was sent: a NaN or ±Infinity number (JSON has none; it was stored as
 * null without a word). `json` is its JSON text: only a text holding `null` can hide one, so the walk runs only then.
 */
export function nonFiniteProblem(value: unknown, json: string): string | undefined {
  if (!json.includes('null')) return undefined;
  const path = nonFinitePath(value, '');
  if (path === undefined) return undefined;
  return `has a number that is not finite (NaN or Infinity)${path ? ` at ${path}` : ''}; JSON cannot hold it: send a finite number or null`;
}
