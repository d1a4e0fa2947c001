import { isFloat } from '../../dtype.js';
import type { BinaryFunction, Expr, UnaryFunction } from '../../expr/expr.js';
import { exprNodes } from '../../expr/substitute-expr.js';
import type { Node } from '../../graph/node.js';
import { indexVariable } from '../../ops/index-math.js';
import { maxElementCount } from '../../shape.js';
import { defOf } from '../def-of.js';

/**
 * Op units of the scalar operations, relative to an f32 add or multiply (1): a load from memory
 * 2, a float division or square root 4, an integer division or remainder (the index math of
 * reshapes and slices) 8, a transcendental 8, the functions built from several of them 16.
 */
export const EXPR_OP_UNITS = {
  load: 2,
  simple: 1,
  floatDivision: 4,
  integerDivision: 8,
  transcendental: 8,
  compound: 16,
} as const;

const UNARY_UNITS: Partial<Record<UnaryFunction, number>> = {
  sqrt: EXPR_OP_UNITS.floatDivision,
  rsqrt: EXPR_OP_UNITS.floatDivision,
  recip: EXPR_OP_UNITS.floatDivision,
  exp: EXPR_OP_UNITS.transcendental,
  log: EXPR_OP_UNITS.transcendental,
  log1p: EXPR_OP_UNITS.transcendental,
  expm1: EXPR_OP_UNITS.transcendental,
  sin: EXPR_OP_UNITS.transcendental,
  cos: EXPR_OP_UNITS.transcendental,
  tanh: EXPR_OP_UNITS.transcendental,
  sigmoid: EXPR_OP_UNITS.transcendental,
  silu: EXPR_OP_UNITS.transcendental,
  erf: EXPR_OP_UNITS.compound,
  softplus: EXPR_OP_UNITS.compound,
  gelu: EXPR_OP_UNITS.compound,
  geluTanh: EXPR_OP_UNITS.compound,
};

/** Op units of one Expr node (its operands not included). */
function exprUnits(expr: Expr): number {
  switch (expr.kind) {
    case 'const':
    case 'var':
      return 0;
    case 'read':
      return EXPR_OP_UNITS.load;
    case 'unary':
      return UNARY_UNITS[expr.payload as UnaryFunction] ?? EXPR_OP_UNITS.simple;
    case 'binary': {
      const fn = expr.payload as BinaryFunction;
      if (fn === 'pow') return EXPR_OP_UNITS.compound;
      if (fn === 'div' || fn === 'mod') {
        return isFloat(expr.dtype) ? EXPR_OP_UNITS.floatDivision : EXPR_OP_UNITS.integerDivision;
      }
      return EXPR_OP_UNITS.simple;
    }
    default:
      return EXPR_OP_UNITS.simple;
  }
}

/**
 * Op units of evaluating `node` for one of its elements, from the Expr its op lowers to: its
 * operation, its index math, and a load for each operand that is not in `inlined` (operands in
 * `inlined` are computed in the same kernel, in registers). 0 for ops without a lowering.
 */
export function nodeElementUnits(node: Node, inlined: ReadonlySet<Node>): number {
  const lower = defOf(node).lowerElement;
  if (lower === undefined) return 0;
  const index = node.shape.map((_, axis) => indexVariable(`i${axis}`));
  let units = 0;
  for (const expr of exprNodes(lower(node, index))) {
    if (expr.kind === 'read') {
      const operand = node.inputs[Number(String(expr.payload).slice(1))];
      if (operand !== undefined && (inlined.has(operand) || operand.op === 'constant')) continue;
    }
    units += exprUnits(expr);
  }
  return units;
}

/**
 * Op units of evaluating every node of `nodes` once per element of `per`: each node counts in
 * proportion to its element count, so a per-row value of a norm adds a fraction of a unit to each
 * element of the rows. Values in `held` (row statistics kept in registers) cost no load.
 */
export function coneUnitsPerElement(
  nodes: ReadonlySet<Node>,
  per: Node,
  held: ReadonlySet<Node> = new Set(),
): number {
  const elements = Math.max(1, maxElementCount(per.shape));
  const inlined = new Set([...nodes, ...held]);
  let units = 0;
  for (const node of nodes) {
    units += (nodeElementUnits(node, inlined) * maxElementCount(node.shape)) / elements;
  }
  return units;
}
