import { binary, constant, type Dim, type Expr, type Shape, variable } from '@weft/ir';

/** The size of `dim` as an i32 Expr: a literal, or `variable('dim:<name>', 'i32')`. */
export function dimExpr(dim: Dim): Expr {
  return typeof dim === 'number' ? constant(dim, 'i32') : variable(`dim:${dim.name}`, 'i32');
}

/** An i32 index variable (printed under the same name). */
export function indexVariable(name: string): Expr {
  return variable(name, 'i32');
}

/** `a + b` on i32 indices, folding literals. */
export function addIndex(a: Expr, b: Expr): Expr {
  if (isLiteral(a, 0)) return b;
  if (isLiteral(b, 0)) return a;
  if (a.kind === 'const' && b.kind === 'const') return constant(Number(a.payload) + Number(b.payload), 'i32');
  return binary('add', a, b);
}

/** `a * b` on i32 indices, folding literals. */
export function mulIndex(a: Expr, b: Expr): Expr {
  if (isLiteral(a, 1)) return b;
  if (isLiteral(b, 1)) return a;
  if (isLiteral(a, 0) || isLiteral(b, 0)) return constant(0, 'i32');
  if (a.kind === 'const' && b.kind === 'const') return constant(Number(a.payload) * Number(b.payload), 'i32');
  return binary('mul', a, b);
}

/** Row-major flat offset of `index` (one i32 Expr per axis) in a tensor of `shape`. */
export function flatIndexExpr(index: readonly Expr[], shape: Shape): Expr {
  let flat = constant(0, 'i32');
  let stride = constant(1, 'i32');
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    // Size-1 axes contribute nothing whatever the index (broadcast reads pass 0 or the output's index).
    if (shape[axis] !== 1) flat = addIndex(mulIndex(index[axis]!, stride), flat);
    stride = mulIndex(stride, dimExpr(shape[axis]!));
  }
  return flat;
}

/** The number of elements of `shape` as an i32 Expr. */
export function elementCountExpr(shape: Shape): Expr {
  return shape.reduce<Expr>((count, dim) => mulIndex(count, dimExpr(dim)), constant(1, 'i32'));
}

function isLiteral(expr: Expr, value: number): boolean {
  return expr.kind === 'const' && expr.payload === value;
}
