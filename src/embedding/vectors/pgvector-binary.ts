// pgvector's binary send/receive form of `vector` and `halfvec`, for binary COPY of points.
import type { PrecisionName } from '../embedding.types.js';
import { float16Bits } from './vector-codec.js';

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

/** The binary form of a column of this precision: `vector` for float32, `halfvec` for float16. */
export function binaryFieldEncoder(precision: PrecisionName): (values: Float32Array) => Buffer {
  return precision === 'float16' ? halfvecField : vectorField;
}
