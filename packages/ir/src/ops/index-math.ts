import type { Dim } from '../dim.js';
import { binary, constant, type Expr, variable } from '../expr/expr.js';
import type { Shape } from '../shape.js';

/**
 * Small i32 index arithmetic for `lowerElement`: folds constants and drops identities so that
 * lowered Exprs stay readable (`i1 + 2` rather than `i1 * 1 + 0 + 2`).
 */

/** An i32 index literal. */
export function indexConstant(value: number): Expr {
  return constant(value, 'i32');
}

/** The size of `dim` as an i32 Expr: a literal, or `variable('dim:<name>', 'i32')` for a symbolic dim. */
export function dimExpr(dim: Dim): Expr {
  return typeof dim === 'number' ? indexConstant(dim) : variable(`dim:${dim.name}`, 'i32');
}

/** `a + b` on indices. */
export function addIndex(a: Expr, b: Expr): Expr {
  if (isLiteral(a, 0)) return b;
  if (isLiteral(b, 0)) return a;
  if (a.kind === 'const' && b.kind === 'const') return indexConstant(Number(a.payload) + Number(b.payload));
  return binary('add', a, b);
}

/** `a - b` on indices. */
export function subIndex(a: Expr, b: Expr): Expr {
  if (isLiteral(b, 0)) return a;
  if (a.kind === 'const' && b.kind === 'const') return indexConstant(Number(a.payload) - Number(b.payload));
  return binary('sub', a, b);
}

/** `a * b` on indices. */
export function mulIndex(a: Expr, b: Expr): Expr {
  if (isLiteral(a, 1)) return b;
  if (isLiteral(b, 1)) return a;
  if (isLiteral(a, 0) || isLiteral(b, 0)) return indexConstant(0);
  if (a.kind === 'const' && b.kind === 'const') return indexConstant(Number(a.payload) * Number(b.payload));
  return binary('mul', a, b);
}

/** `a / b` (truncating) on non-negative indices. */
export function divIndex(a: Expr, b: Expr): Expr {
  if (isLiteral(b, 1)) return a;
  return binary('div', a, b);
}

/** `a % b` on non-negative indices. */
export function modIndex(a: Expr, b: Expr): Expr {
  if (isLiteral(b, 1)) return indexConstant(0);
  return binary('mod', a, b);
}

/** Clamps an index into `0..size-1` (so GPU reads stay in bounds even where a select discards them). */
export function clampIndex(index: Expr, size: Dim): Expr {
  const lower =
    index.kind === 'const' && Number(index.payload) >= 0 ? index : binary('max', index, indexConstant(0));
  return binary('min', lower, subIndex(dimExpr(size), indexConstant(1)));
}

/**
 * The index to read from an operand of shape `operandShape` for output element `outputIndex` under
 * NumPy broadcasting: axes are right-aligned and size-1 operand axes read index 0.
 */
export function broadcastIndex(
  operandShape: Shape,
  outputShape: Shape,
  outputIndex: readonly Expr[],
): Expr[] {
  const offset = outputShape.length - operandShape.length;
  return operandShape.map((dim, axis) => (dim === 1 ? indexConstant(0) : outputIndex[axis + offset]!));
}

/** Row-major strides of `shape` as i32 Exprs (symbolic dims contribute `dim:<name>` factors). */
export function strideExprs(shape: Shape): Expr[] {
  const strides = new Array<Expr>(shape.length);
  let stride = indexConstant(1);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride = mulIndex(stride, dimExpr(shape[axis]!));
  }
  return strides;
}

/** Row-major flat offset of `index` in `shape`. */
export function flatIndex(index: readonly Expr[], shape: Shape): Expr {
  const strides = strideExprs(shape);
  return index.reduce<Expr>(
    (sum, component, axis) => addIndex(sum, mulIndex(component, strides[axis]!)),
    indexConstant(0),
  );
}

/** Splits a row-major flat offset into one index per axis of `shape`. */
export function unflattenIndex(flat: Expr, shape: Shape): Expr[] {
  const strides = strideExprs(shape);
  return shape.map((dim, axis) => {
    const quotient = divIndex(flat, strides[axis]!);
    return axis === 0 ? quotient : modIndex(quotient, dimExpr(dim));
  });
}

function isLiteral(expr: Expr, value: number): boolean {
  return expr.kind === 'const' && expr.payload === value;
}
