import { type DType, UnsupportedError } from '@weft/ir';

/** The WGSL type a value of `dtype` has inside a shader (`bool` stays `bool`). */
export function wgslType(dtype: DType): string {
  return dtype;
}

/** The WGSL element type of a storage array holding `dtype` (`bool` is stored as a `u32` word). */
export function storageType(dtype: DType): string {
  return dtype === 'bool' ? 'u32' : dtype;
}

/** The type reductions and matmul accumulate in: `f32` for both float types, else the dtype. */
export function accumulatorType(dtype: DType): DType {
  return dtype === 'f16' ? 'f32' : dtype;
}

/**
 * WGSL text of a literal of `dtype`. Non-finite floats become calls of the `weft_inf`/`weft_nan`
 * helpers: a constant expression that evaluates to infinity or NaN is a shader-creation error.
 * The caller adds the helpers named in `helpersUsed`.
 */
export function formatLiteral(value: number, dtype: DType, helpersUsed: Set<string>): string {
  switch (dtype) {
    case 'bool':
      return value !== 0 ? 'true' : 'false';
    case 'i32': {
      const integer = Math.trunc(value) | 0;
      return integer === -2147483648 ? '(-2147483647 - 1)' : String(integer);
    }
    case 'u32':
      return `${Math.trunc(value) >>> 0}u`;
    case 'f32':
    case 'f16':
      return formatFloat(value, dtype, helpersUsed);
  }
}

const F32_MAX = 3.4028234663852886e38;
const F16_MAX = 65504;

function formatFloat(value: number, dtype: 'f32' | 'f16', helpersUsed: Set<string>): string {
  const largest = dtype === 'f32' ? F32_MAX : F16_MAX;
  if (Number.isNaN(value) || Math.abs(value) > largest) {
    const name = Number.isNaN(value) ? 'weft_nan' : 'weft_inf';
    helpersUsed.add(name);
    const call = `${name}()`;
    const typed = dtype === 'f16' ? `f16(${call})` : call;
    return value < 0 ? `-${typed}` : typed;
  }
  let text = Object.is(value, -0) ? '-0.0' : String(value);
  if (!/[.e]/.test(text)) text = `${text}.0`;
  return dtype === 'f16' ? `${text}h` : text;
}

/** Throws unless the device can hold `dtype` in storage (f16 needs `shader-f16`). */
export function requireStorableDType(dtype: DType, shaderF16: boolean, tensor: string): void {
  if (dtype === 'f16' && !shaderF16) {
    throw new UnsupportedError('f16 tensors need the shader-f16 feature, which this device lacks', {
      tensor,
      expected: 'a device with shader-f16',
      actual: 'f16',
    });
  }
}
