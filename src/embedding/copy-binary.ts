// Encoder of Postgres binary COPY data for the column types points are staged with.
import { float16Bits } from './vector-codec.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** One column value in binary COPY form; null writes SQL NULL. */
export type CopyField = Buffer | null;

/** Binary `text`: the UTF-8 bytes. */
export function textField(value: string): Buffer {
  return Buffer.from(value, 'utf8');
}

/** Binary `jsonb`: format version 1, then the JSON text. */
export function jsonbField(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  const out = Buffer.allocUnsafe(1 + json.length);
  out[0] = 1;
  json.copy(out, 1);
  return out;
}

/** pgvector's binary form: int16 dimension, int16 unused, then each component big-endian in `bytesPerComponent`. */
function pgvectorField(values: Float32Array, bytesPerComponent: number, write: (out: Buffer, value: number, at: number) => void): Buffer {
  const out = Buffer.allocUnsafe(4 + values.length * bytesPerComponent);
  out.writeInt16BE(values.length, 0);
  out.writeInt16BE(0, 2);
  for (let i = 0; i < values.length; i++) write(out, values[i]!, 4 + i * bytesPerComponent);
  return out;
}

/** Binary pgvector `vector`: float32 components. */
export function vectorField(values: Float32Array): Buffer {
  return pgvectorField(values, 4, (out, value, at) => out.writeFloatBE(value, at));
}

/** Binary pgvector `halfvec`: float16 components. */
export function halfvecField(values: Float32Array): Buffer {
  return pgvectorField(values, 2, (out, value, at) => out.writeUInt16BE(float16Bits(value), at));
}

/** A whole binary COPY stream (header, rows, trailer) for rows of the same number of columns. */
export function encodeCopyBinary(rows: readonly (readonly CopyField[])[]): Buffer {
  let size = SIGNATURE.length + 8 + 2;
  for (const row of rows) {
    size += 2;
    for (const field of row) size += 4 + (field?.length ?? 0);
  }
  const out = Buffer.allocUnsafe(size);
  let at = SIGNATURE.copy(out, 0);
  at = out.writeInt32BE(0, at); // flags
  at = out.writeInt32BE(0, at); // header extension length
  for (const row of rows) {
    at = out.writeInt16BE(row.length, at);
    for (const field of row) {
      if (field === null) {
        at = out.writeInt32BE(-1, at);
      } else {
        at = out.writeInt32BE(field.length, at);
        at += field.copy(out, at);
      }
    }
  }
  out.writeInt16BE(-1, at);
  return out;
}
