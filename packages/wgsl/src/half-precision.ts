import type { KernelPrecision } from './generated-kernel.js';

/**
 * The type and rounding hooks of the f16 tier. Templates write kernels in terms of these names; the
 * three precisions differ only in the module prelude that defines them:
 * - `f32`: no prelude; the hooks are the plain f32 texts (`vec4<f32>`, no conversion calls), so
 *   f32 kernels are unchanged;
 * - `f16` (needs `shader-f16`): `half` is `f16`, `to_half` converts, `widen` converts back;
 * - `f16-emulated`: `half` is `f32` and `to_half` is `quantizeToF16` (a core builtin), so every
 *   value the f16 kernel holds in f16 is rounded to f16 at the same place, on any device.
 * Accumulators, softmax and norm statistics are never `half`: they stay f32 in all three.
 */
export interface HalfHooks {
  /** The precision these hooks render. */
  readonly precision: KernelPrecision;
  /** Scalar storage type of an f16-stored value (`f32` at f32 precision). */
  readonly half: string;
  /** vec4 of {@link HalfHooks.half}. */
  readonly half4: string;
  /** `value` (f32 text) rounded to f16 storage, typed {@link HalfHooks.half}. */
  toHalf(value: string): string;
  /** `value` (vec4<f32> text) rounded to f16 storage, typed {@link HalfHooks.half4}. */
  toHalf4(value: string): string;
  /** A {@link HalfHooks.half} value as f32 (exact). */
  widen(value: string): string;
  /** A {@link HalfHooks.half4} value as vec4<f32> (exact). */
  widen4(value: string): string;
  /** Module-scope declarations defining the hooks (empty at f32). */
  readonly prelude: readonly string[];
  /** `enable` extensions the prelude needs. */
  readonly enables: readonly string[];
}

/**
 * The hooks of `precision` (see {@link HalfHooks}). Templates get them as `KernelContext.half`.
 *
 * @example
 * ```ts
 * const half = halfHooks('f16-emulated');
 * half.toHalf4('packed'); // 'to_half4(packed)': quantizeToF16 in the emulation, an f16 conversion with shader-f16
 * halfHooks('f32').toHalf4('packed'); // 'packed': f32 kernels carry no hooks
 * ```
 */
export function halfHooks(precision: KernelPrecision): HalfHooks {
  if (precision === 'f32') {
    return {
      precision,
      half: 'f32',
      half4: 'vec4<f32>',
      toHalf: (value) => value,
      toHalf4: (value) => value,
      widen: (value) => value,
      widen4: (value) => value,
      prelude: [],
      enables: [],
    };
  }
  const emulated = precision === 'f16-emulated';
  return {
    precision,
    half: 'half',
    half4: 'half4',
    toHalf: (value) => `to_half(${value})`,
    toHalf4: (value) => `to_half4(${value})`,
    widen: (value) => `widen(${value})`,
    widen4: (value) => `widen4(${value})`,
    prelude: halfPrelude(emulated),
    enables: emulated ? [] : ['f16'],
  };
}

/** Marks the first line of {@link HalfHooks.prelude} (tests strip the prelude to compare bodies). */
export const HALF_PRELUDE_MARK = '// ---- f16 tier: storage type and rounding ----';

/** Marks the last line of {@link HalfHooks.prelude}. */
export const HALF_PRELUDE_END = '// ---- end of f16 tier prelude ----';

function halfPrelude(emulated: boolean): string[] {
  const scalar = emulated ? 'f32' : 'f16';
  return [
    HALF_PRELUDE_MARK,
    emulated
      ? '// Emulated: f32 storage, every f16-stored value rounded with quantizeToF16.'
      : '// shader-f16: values stored in f16; arithmetic on them widened to f32.',
    `alias half = ${scalar};`,
    `alias half4 = vec4<${scalar}>;`,
    `fn to_half(x: f32) -> half {\n  return ${emulated ? 'quantizeToF16(x)' : 'half(x)'};\n}`,
    `fn to_half4(x: vec4<f32>) -> half4 {\n  return ${emulated ? 'quantizeToF16(x)' : 'half4(x)'};\n}`,
    `fn widen(x: half) -> f32 {\n  return ${emulated ? 'x' : 'f32(x)'};\n}`,
    `fn widen4(x: half4) -> vec4<f32> {\n  return ${emulated ? 'x' : 'vec4<f32>(x)'};\n}`,
    HALF_PRELUDE_END,
  ];
}
