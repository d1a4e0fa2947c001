/**
 * Conversions between float32 values and the 16-bit float encodings safetensors files use
 * (IEEE half precision and bfloat16). Encoding rounds to nearest, ties to even.
 */

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** Decoded value of every half-precision bit pattern, built on first use (256 KiB). */
let halfTable: Float32Array | undefined;

/**
 * Encodes `value` as IEEE half-precision bits, rounding to nearest even. Values beyond the half
 * range become ±Infinity, values below half of the smallest subnormal become ±0, NaN stays NaN.
 *
 * @example
 * ```ts
 * float32ToFloat16Bits(1); // 0x3c00
 * float32ToFloat16Bits(1 + 2 ** -11); // 0x3c00: the tie rounds to the even pattern
 * ```
 */
export function float32ToFloat16Bits(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half: the value is an integer count of 2^-24 steps.
    if (halfExponent < -10) return sign;
    const shift = 14 - halfExponent;
    return sign | roundShiftRightEven(mantissa | 0x800000, shift);
  }
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  return sign | roundShiftRightEven((halfExponent << 23) | mantissa, 13);
}

/**
 * Decodes IEEE half-precision bits to their (exactly representable) float32 value.
 *
 * @example
 * ```ts
 * float16BitsToFloat32(0x3c00); // 1
 * ```
 */
export function float16BitsToFloat32(bits: number): number {
  halfTable ??= buildHalfTable();
  return halfTable[bits & 0xffff]!;
}

/**
 * Encodes `value` as bfloat16 bits (the top half of its float32 bits), rounding to nearest even.
 *
 * @example
 * ```ts
 * float32ToBfloat16Bits(1); // 0x3f80
 * ```
 */
export function float32ToBfloat16Bits(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0]!;
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Decodes bfloat16 bits to their float32 value.
 *
 * @example
 * ```ts
 * bfloat16BitsToFloat32(0x3f80); // 1
 * ```
 */
export function bfloat16BitsToFloat32(bits: number): number {
  scratchBits[0] = (bits & 0xffff) << 16;
  return scratchFloat[0]!;
}

function roundShiftRightEven(value: number, shift: number): number {
  const kept = value >>> shift;
  const remainder = value & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  return remainder > halfway || (remainder === halfway && (kept & 1) === 1) ? kept + 1 : kept;
}

function buildHalfTable(): Float32Array {
  const table = new Float32Array(0x10000);
  for (let bits = 0; bits < 0x10000; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >>> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * mantissa * 2 ** -24;
    else if (exponent === 0x1f) table[bits] = mantissa !== 0 ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
}
