import { type Expr, read, UNARY_FUNCTIONS, type UnaryFunction, unary } from '../expr/expr.js';
import { internNode, type Node } from '../graph/node.js';
import { choiceAttr } from './attr-readers.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import type { OpDef } from './op-table.js';
import { expectDType } from './operand-checks.js';

/** Negation, `−x`. */
export const neg = (x: Node): Node => elementwiseUnary('neg', x);
/** Absolute value, `|x|`. */
export const abs = (x: Node): Node => elementwiseUnary('abs', x);
/** Sign: −1, 0 or 1. */
export const sign = (x: Node): Node => elementwiseUnary('sign', x);
/** Largest integer ≤ x. */
export const floor = (x: Node): Node => elementwiseUnary('floor', x);
/** Smallest integer ≥ x. */
export const ceil = (x: Node): Node => elementwiseUnary('ceil', x);
/** Nearest integer, ties to even (as WGSL `round`). */
export const round = (x: Node): Node => elementwiseUnary('round', x);
/** `e^x`. */
export const exp = (x: Node): Node => elementwiseUnary('exp', x);
/** Natural logarithm. */
export const log = (x: Node): Node => elementwiseUnary('log', x);
/** `log(1 + x)`, accurate near 0. */
export const log1p = (x: Node): Node => elementwiseUnary('log1p', x);
/** `e^x − 1`, accurate near 0. */
export const expm1 = (x: Node): Node => elementwiseUnary('expm1', x);
/** Square root. */
export const sqrt = (x: Node): Node => elementwiseUnary('sqrt', x);
/** `1 / √x`. */
export const rsqrt = (x: Node): Node => elementwiseUnary('rsqrt', x);
/** `1 / x`. */
export const reciprocal = (x: Node): Node => elementwiseUnary('recip', x);
/** Sine (radians). */
export const sin = (x: Node): Node => elementwiseUnary('sin', x);
/** Cosine (radians). */
export const cos = (x: Node): Node => elementwiseUnary('cos', x);
/** Hyperbolic tangent. */
export const tanh = (x: Node): Node => elementwiseUnary('tanh', x);
/** Error function `erf(x) = 2/√π ∫₀ˣ e^(−t²) dt`. */
export const erf = (x: Node): Node => elementwiseUnary('erf', x);
/** Logistic sigmoid `1 / (1 + e^(−x))`. */
export const sigmoid = (x: Node): Node => elementwiseUnary('sigmoid', x);
/** Softplus `log(1 + e^x)` (stable form). */
export const softplus = (x: Node): Node => elementwiseUnary('softplus', x);
/** Rectified linear unit `max(x, 0)`. */
export const relu = (x: Node): Node => elementwiseUnary('relu', x);
/** GELU, `x · Φ(x) = x/2 · (1 + erf(x/√2))` (Hendrycks & Gimpel, 2016). */
export const gelu = (x: Node): Node => elementwiseUnary('gelu', x);
/** GELU's tanh approximation, `x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³)))`. */
export const geluTanh = (x: Node): Node => elementwiseUnary('geluTanh', x);
/** SiLU / swish, `x · sigmoid(x)`. */
export const silu = (x: Node): Node => elementwiseUnary('silu', x);
/** Logical not of a bool tensor. */
export const logicalNot = (x: Node): Node => elementwiseUnary('not', x);
/** Whether each element is NaN (bool result). */
export const isNan = (x: Node): Node => elementwiseUnary('isNan', x);

/**
 * Applies any unary Expr function elementwise: `elementwiseUnary('exp', x)`.
 *
 * @example
 * ```ts
 * const y = elementwiseUnary('tanh', input('x', [4, 8]));
 * ```
 */
export function elementwiseUnary(fn: UnaryFunction, x: Node): Node {
  return internNode(unaryOp, [x], { fn });
}

/** Functions defined only on floating-point values. */
const FLOAT_ONLY: ReadonlySet<UnaryFunction> = new Set([
  'exp',
  'log',
  'log1p',
  'expm1',
  'sqrt',
  'rsqrt',
  'recip',
  'sin',
  'cos',
  'tanh',
  'erf',
  'sigmoid',
  'softplus',
  'gelu',
  'geluTanh',
  'silu',
  'isNan',
]);

const lowerUnary = (node: Node, outputIndex: readonly Expr[]): Expr =>
  unary(node.attrs.fn as UnaryFunction, read('$0', outputIndex, node.inputs[0]!.dtype));

/** `unary`: `{ fn }` applied elementwise; `not` takes and `isNan` gives `bool`. */
export const unaryOp: OpDef = {
  name: 'unary',
  arity: 1,
  fusion: 'elementwise',
  evaluatesF32: true,
  infer([x], attrs, context) {
    const fn = choiceAttr(attrs, 'fn', UNARY_FUNCTIONS, context);
    const allowed =
      fn === 'not'
        ? (['bool'] as const)
        : FLOAT_ONLY.has(fn)
          ? (['f32', 'f16'] as const)
          : (['f32', 'f16', 'i32', 'u32'] as const);
    expectDType(x!, 0, allowed, { ...context, op: `unary ${fn}` });
    return { shape: x!.shape, dtype: fn === 'not' || fn === 'isNan' ? 'bool' : x!.dtype };
  },
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerUnary),
  lowerElement: lowerUnary,
};
