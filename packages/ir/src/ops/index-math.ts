import type { Dim } from '../dim.js';
import { binary, constant, type Expr, variable } from '../expr/expr.js';
import { simplifyNode } from '../expr/simplify-expr.js';
import type { Shape } from '../shape.js';

/**
 * i32 index arithmetic for `lowerElement` and the code generators: every helper folds through
 * {@link simplifyExpr}'s rules, so lowered Exprs stay readable (`i1 + 2` rather than `i1 * 1 + 0 + 2`).
 */

/** An i32 index literal. */
export function indexConstant(value: number): Expr {
  return constant(value, 'i32');
}

/** The size of `dim` as an i32 Expr: a literal, or `variable('dim:<name>', 'i32')` for a symbolic dim. */
export function dimExpr(dim: Dim): Expr {
  return typeof dim === 'number' ? indexConstant(dim) : variable(`dim:${dim.name}`, 'i32');
}

/** `a + b` on indices, simplified ({@link simplifyNode}). */
export function addIndex(a: Expr, b: Expr): Expr {
  return simplifyNode(binary('add', a, b));
}

/** `a - b` on indices, simplified. */
export function subIndex(a: Expr, b: Expr): Expr {
  return simplifyNode(binary('sub', a, b));
}

/** `a * b` on indices, simplified. */
export function mulIndex(a: Expr, b: Expr): Expr {
  return simplifyNode(binary('mul', a, b));
}

/** `a / b` (truncating) on non-negative indices, simplified. */
export function divIndex(a: Expr, b: Expr): Expr {
  return simplifyNode(binary('div', a, b));
}

/** `a % b` on non-negative indices, simplified. */
export function modIndex(a: Expr, b: Expr): Expr {
  return simplifyNode(binary('mod', a, b));
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

/**
 * Row-major flat offset of `index` in `shape`. Size-1 axes contribute nothing whatever their index
 * (a broadcast read may pass the output's index there), so they are left out.
 */
export function flatIndex(index: readonly Expr[], shape: Shape): Expr {
  let flat = indexConstant(0);
  let stride = indexConstant(1);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1) flat = addIndex(mulIndex(index[axis]!, stride), flat);
    stride = mulIndex(stride, dimExpr(shape[axis]!));
  }
  return flat;
}

/** An i32 index variable (printed under the same name). */
export function indexVariable(name: string): Expr {
  return variable(name, 'i32');
}

/** The number of elements of `shape` as an i32 Expr. */
export function elementCountExpr(shape: Shape): Expr {
  return shape.reduce<Expr>((count, dim) => mulIndex(count, dimExpr(dim)), indexConstant(1));
}

/** Splits a row-major flat offset into one index per axis of `shape`. */
export function unflattenIndex(flat: Expr, shape: Shape): Expr[] {
  const strides = strideExprs(shape);
  return shape.map((dim, axis) => {
    const quotient = divIndex(flat, strides[axis]!);
    return axis === 0 ? quotient : modIndex(quotient, dimExpr(dim));
  });
}
