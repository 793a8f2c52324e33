// The vector of a request, in either of its two forms (whether it fits a collection: vector-fit.ts).
import { invalidArgument } from '../../errors.js';
import { decodeFloat32Le } from './vector-codec.js';

/** A vector as a request carries it: repeated float, or packed little-endian float32. */
export interface VectorInput {
  values: number[];
  float32Le: Uint8Array;
}

/** The vector of a request, in exactly one of its two forms, with finite components. */
export function validateVector(vector: VectorInput | undefined, field: string): Float32Array {
  const hasValues = (vector?.values.length ?? 0) > 0;
  const hasBytes = (vector?.float32Le.length ?? 0) > 0;
  if (!vector || (!hasValues && !hasBytes)) throw invalidArgument(`${field} is missing; set ${field}.values or ${field}.float32_le`, field);
  if (hasValues && hasBytes) throw invalidArgument(`${field} sets both values and float32_le; set exactly one`, field);
  if (hasBytes && vector.float32Le.length % 4 !== 0) {
    throw invalidArgument(`${field}.float32_le has ${vector.float32Le.length} bytes; it must be 4 bytes (little-endian float32) per component`, field);
  }
  const values = hasBytes ? decodeFloat32Le(vector.float32Le) : Float32Array.from(vector.values);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw invalidArgument(`${field} component ${i} is ${values[i]}; every component must be a finite number`, field);
  }
  return values;
}
