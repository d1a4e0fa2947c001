/**
 * Element types a tensor can hold.
 *
 * `f16` is a storage/compute type on devices with `shader-f16`; the reference interpreter
 * always computes in float64 and rounds results to the declared dtype.
 */
export type DType = 'f32' | 'f16' | 'i32' | 'u32' | 'bool';

/** All dtypes, in a stable order (used by validation and property tests). */
export const DTYPES: readonly DType[] = ['f32', 'f16', 'i32', 'u32', 'bool'];

/** Whether `dtype` is a floating-point type. */
export function isFloat(dtype: DType): boolean {
  return dtype === 'f32' || dtype === 'f16';
}

/** Whether `dtype` is an integer type (`i32` or `u32`). */
export function isInteger(dtype: DType): boolean {
  return dtype === 'i32' || dtype === 'u32';
}

/** Bytes one element occupies in a GPU storage buffer (`bool` is stored as a 32-bit word). */
export function byteSize(dtype: DType): number {
  return dtype === 'f16' ? 2 : 4;
}

/** Rounds a float64 value to what `dtype` can represent (the reference interpreter's final step). */
export function roundToDType(value: number, dtype: DType): number {
  switch (dtype) {
    case 'f32':
      return Math.fround(value);
    case 'f16':
      return roundToF16(value);
    case 'i32':
      return Math.trunc(value) | 0;
    case 'u32':
      return Math.trunc(value) >>> 0;
    case 'bool':
      return value !== 0 ? 1 : 0;
  }
}

const f16Scratch = new Float32Array(1);
const f16Bits = new Uint32Array(f16Scratch.buffer);

/** Round to nearest-even IEEE half precision, returned as a float64 value. */
function roundToF16(value: number): number {
  if (!Number.isFinite(value)) return value;
  const magnitude = Math.abs(value);
  if (magnitude >= 65520) return value > 0 ? Infinity : -Infinity;
  if (magnitude < 2 ** -24 / 2) return 0 * Math.sign(value);
  // Quantize with the spacing of f16 at this magnitude (subnormals share the 2^-24 spacing).
  f16Scratch[0] = magnitude;
  const exponent = Math.max(((f16Bits[0]! >>> 23) & 0xff) - 127, -14);
  const spacing = 2 ** (exponent - 10);
  const quotient = magnitude / spacing;
  let rounded = Math.round(quotient);
  if (Math.abs(quotient - Math.trunc(quotient) - 0.5) < 1e-12 && rounded % 2 === 1) rounded -= 1;
  return Math.sign(value) * rounded * spacing;
}
