import type { DType } from '../dtype.js';
import { erf, erfc } from './erf.js';
import type { BinaryFunction, UnaryFunction } from './expr.js';

/**
 * Reference semantics of every Expr function on float64 values. Integer dtypes follow WGSL:
 * i32/u32 arithmetic wraps, division truncates toward zero, `x / 0` is `x` and `x % 0` is `0`.
 * Booleans are 0 and 1.
 */
export function applyUnary(fn: UnaryFunction, x: number, dtype: DType): number {
  if (dtype === 'i32' || dtype === 'u32') return wrap(UNARY[fn](x), dtype);
  return UNARY[fn](x);
}

/** Applies a binary function (see {@link applyUnary} for the integer rules). `dtype` is the operands' dtype. */
export function applyBinary(fn: BinaryFunction, a: number, b: number, dtype: DType): number {
  if (dtype === 'i32' || dtype === 'u32') {
    if (fn === 'div') return integerDivide(a, b, dtype);
    if (fn === 'mod') return integerRemainder(a, b, dtype);
    if (fn === 'mul') return wrap(dtype === 'i32' ? Math.imul(a, b) : Math.imul(a, b) >>> 0, dtype);
    const result = BINARY[fn](a, b);
    return isComparison(fn) ? result : wrap(result, dtype);
  }
  return BINARY[fn](a, b);
}

/**
 * Converts a value of dtype `from` to dtype `to` like WGSL: float → integer truncates toward zero
 * and saturates (NaN gives 0); i32 ↔ u32 reinterpret the bits; anything → bool is `x != 0`.
 * Conversions to a float type keep the float64 value (the reference does not round).
 */
export function applyCast(x: number, from: DType, to: DType): number {
  if (to === 'bool') return x !== 0 && !Number.isNaN(x) ? 1 : 0;
  if (to === 'f32' || to === 'f16') return x;
  const integerSource = from === 'i32' || from === 'u32' || from === 'bool';
  if (integerSource) return to === 'i32' ? x | 0 : x >>> 0;
  if (Number.isNaN(x)) return 0;
  const truncated = Math.trunc(x);
  return to === 'i32' ? clamp(truncated, -(2 ** 31), 2 ** 31 - 1) : clamp(truncated, 0, 2 ** 32 - 1);
}

/** Whether a binary function yields a bool (comparisons and logic). */
export function isComparison(fn: BinaryFunction): boolean {
  return COMPARISON_FUNCTIONS.has(fn);
}

/** Gaussian error linear unit, `x · Φ(x) = x/2 · erfc(−x/√2)` (erfc keeps precision for negative x). */
function gelu(x: number): number {
  return 0.5 * x * erfc(-x * Math.SQRT1_2);
}

/** GELU's tanh approximation, `x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³)))`. */
function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/** `1 / (1 + e^(−x))`, evaluated without overflow for either sign. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** `log(1 + e^x)` as `max(x, 0) + log1p(e^(−|x|))`, stable for large |x|. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Rounds half to even, like WGSL `round` and ONNX `Round`. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

const UNARY: Record<UnaryFunction, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: Math.sign,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  recip: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  erf,
  sigmoid,
  softplus,
  relu: (x) => Math.max(x, 0),
  gelu,
  geluTanh,
  silu: (x) => x * sigmoid(x),
  not: (x) => (x === 0 ? 1 : 0),
  isNan: (x) => (Number.isNaN(x) ? 1 : 0),
};

const BINARY: Record<BinaryFunction, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  // Truncated remainder (sign of the dividend), as WGSL `%` and C fmod.
  mod: (a, b) => a % b,
  pow: Math.pow,
  min: Math.min,
  max: Math.max,
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  and: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  or: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
};

const COMPARISON_FUNCTIONS: ReadonlySet<BinaryFunction> = new Set([
  'lt',
  'le',
  'gt',
  'ge',
  'eq',
  'ne',
  'and',
  'or',
]);

function wrap(value: number, dtype: 'i32' | 'u32'): number {
  return dtype === 'i32' ? value | 0 : value >>> 0;
}

function integerDivide(a: number, b: number, dtype: 'i32' | 'u32'): number {
  if (b === 0) return a;
  if (dtype === 'i32' && a === -(2 ** 31) && b === -1) return a;
  return wrap(Math.trunc(a / b), dtype);
}

function integerRemainder(a: number, b: number, dtype: 'i32' | 'u32'): number {
  if (b === 0) return 0;
  if (dtype === 'i32' && a === -(2 ** 31) && b === -1) return 0;
  return wrap(a % b, dtype);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
