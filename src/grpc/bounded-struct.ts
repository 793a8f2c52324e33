// The decoder the generated code calls for every google.protobuf.Struct field of a request or response
// (scripts/patch-gen.mjs puts it in place of ts-proto's `Struct.unwrap(Struct.decode(...))`): it checks the Struct's
// wire bytes against the bounds of src/domain/struct-bounds.ts first, and converts it only when it is within them.
// A Struct out of bounds is skipped and replaced by an empty object carrying the reason, which the area's validator
// turns into the rejection of that record (or INVALID_ARGUMENT naming the field).
import type { BinaryReader } from '@bufbuild/protobuf/wire';
import { Struct } from '../gen/google/protobuf/struct.js';
import { MESSAGE_MAX_STRUCT_ENTRIES, rejectedStruct, structBoundProblem } from '../domain/struct-bounds.js';

const BUDGET = Symbol('struct entries left in this message');

/** The reader's whole buffer (private in the typings, a plain field at run time). */
function bytesOf(reader: BinaryReader): Uint8Array {
  return (reader as unknown as { buf: Uint8Array }).buf;
}

/** Decodes the Struct of `length` bytes at the reader's position, or skips it when it is out of bounds. */
export function decodeBoundedStruct(reader: BinaryReader, length: number): { [key: string]: unknown } {
  const tagged = reader as BinaryReader & { [BUDGET]?: number };
  const budget = tagged[BUDGET] ?? MESSAGE_MAX_STRUCT_ENTRIES;
  const start = reader.pos;
  const { problem, shape } = structBoundProblem(bytesOf(reader), start, start + length, budget);
  tagged[BUDGET] = Math.max(0, budget - shape.entries);
  if (problem) {
    reader.pos = start + length;
    return rejectedStruct(problem);
  }
  return Struct.unwrap(Struct.decode(reader, length));
}
