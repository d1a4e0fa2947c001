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
  const { units, reads } = loweredUnits(node);
  let total = units;
  for (const read of reads) {
    const operand = node.inputs[read.operand];
    if (operand !== undefined && (inlined.has(operand) || operand.op === 'constant')) continue;
    total += read.units;
  }
  return total;
}

/** A node's op units apart from its operand reads, and each read (by operand position). */
interface LoweredUnits {
  readonly units: number;
  readonly reads: readonly { readonly operand: number; readonly units: number }[];
}

// Lowering a node's element is the planner's most repeated work (every prologue is priced in
// every planning round): each node is lowered once.
const loweredUnitsCache = new WeakMap<Node, LoweredUnits>();

function loweredUnits(node: Node): LoweredUnits {
  const known = loweredUnitsCache.get(node);
  if (known !== undefined) return known;
  const lower = defOf(node).lowerElement;
  let units = 0;
  const reads: { operand: number; units: number }[] = [];
  if (lower !== undefined) {
    const index = node.shape.map((_, axis) => indexVariable(`i${axis}`));
    for (const expr of exprNodes(lower(node, index))) {
      const operand = expr.kind === 'read' ? Number(String(expr.payload).slice(1)) : Number.NaN;
      if (Number.isInteger(operand)) reads.push({ operand, units: exprUnits(expr) });
      else units += exprUnits(expr);
    }
  }
  const result = { units, reads };
  loweredUnitsCache.set(node, result);
  return result;
}

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
