// Vector forms: packed little-endian float32 bytes, float16 bits, and pgvector's text form '[1,2,3]'.

/** Largest finite float16 magnitude; bigger components cannot be stored in a `halfvec`. */
export const FLOAT16_MAX = 65504;

/**
 * Views packed little-endian float32 bytes as a Float32Array.
 * NOTE: the bytes are copied first: a received Buffer may start at an offset that is not a multiple of 4,
 * and a Float32Array cannot view unaligned memory.
 */
export function decodeFloat32Le(bytes: Uint8Array): Float32Array {
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  if (HOST_IS_LITTLE_ENDIAN) return new Float32Array(aligned.buffer);
  const view = new DataView(aligned.buffer);
  const values = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}

/** Packs a vector as little-endian float32 bytes. */
export function encodeFloat32Le(values: Float32Array): Buffer {
  if (HOST_IS_LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const out = Buffer.allocUnsafe(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i]!, i * 4);
  return out;
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** The IEEE-754 half-precision bits of `value`, rounded to nearest even (as pgvector's halfvec does). */
export function float16Bits(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the mantissa, implicit bit included, into place.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // NOTE: a carry out of the mantissa correctly bumps the exponent (and reaches infinity past the max).
  if (remainder > 0x1000 || (remainder === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** The value of IEEE-754 half-precision bits (what a halfvec component holds). */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** pgvector's text form of a vector, used to pass a query vector as one parameter. */
export function toPgvectorText(values: Float32Array): string {
  return `[${Array.prototype.join.call(values, ',')}]`;
}

/** Parses pgvector's text form ('[1,2.5,-3e-05]', vector or halfvec) into a Float32Array. */
export function fromPgvectorText(text: string): Float32Array {
  return Float32Array.from(JSON.parse(text) as number[]);
}
