import { isFloat } from '../dtype.js';
import { type Expr, variable } from '../expr/expr.js';
import { exprVariables, substituteExpr } from '../expr/substitute-expr.js';
import type { Graph } from '../graph/graph.js';
import { makeNode } from '../graph/make-node.js';
import type { Node } from '../graph/node.js';
import { broadcastShapes, shapesEqual } from '../shape.js';
import { foldConstants } from './fold-constants.js';
import { rewriteGraph, ruleSet } from './rewrite.js';

/**
 * Simplification rules: constant folding ({@link foldConstants}), algebraic identities and
 * movement cancellation. Every rule returns a node of the same shape and dtype, and keeps the
 * value of every element, NaN included:
 * - `x + 0`, `0 + x`, `x − 0`, `x · 1`, `1 · x`, `x / 1`, `x ^ 1` → `x` (NaN and ±∞ pass through
 *   unchanged; the one visible difference is `−0 + 0`, which IEEE rounds to `+0` and the rule keeps
 *   as `−0`, equal under every comparison);
 * - `x · 0` → `0` only for integer and bool dtypes: for floats `NaN · 0` and `∞ · 0` are NaN;
 * - `neg(neg(x))` → `x`; a cast to the operand's dtype → the operand; `select` on a constant condition → the branch;
 * - reshape of a reshape → one reshape; permute of a permute → one permute (perms composed);
 *   broadcast of a broadcast → one broadcast; a reshape, permute or broadcast that changes nothing → its operand;
 * - a `map` drops operands its body never reads, when the others still broadcast to its shape (a
 *   kernel then neither binds nor loads them).
 * An identity applies only when the surviving operand already has the node's shape and dtype
 * (`x + zeros([n, m])` with `x: [m]` broadcasts, so it stays).
 */
export const SIMPLIFY_RULES = ruleSet('simplify', {
  binary: [binaryIdentity],
  unary: [doubleNegation],
  cast: [castToSameDType],
  select: [constantCondition],
  map: [unreadMapOperands],
  reshape: [identityMove, reshapeOfReshape],
  permute: [identityPermute, permuteOfPermute],
  broadcast: [identityMove, broadcastOfBroadcast],
  '*': [foldConstants],
});

/** Runs {@link SIMPLIFY_RULES} to a fixpoint. */
export function simplify(graph: Graph): Graph {
  return rewriteGraph(graph, SIMPLIFY_RULES);
}

// ---------------------------------------------------------------------------------------------
// Implementation

function binaryIdentity(node: Node): Node | undefined {
  const [left, right] = node.inputs as [Node, Node];
  switch (node.attrs.fn) {
    case 'add':
      return keep(node, right, isFilledWith(left, 0)) ?? keep(node, left, isFilledWith(right, 0));
    case 'sub':
      return keep(node, left, isFilledWith(right, 0));
    case 'mul': {
      const zero = isFilledWith(left, 0) || isFilledWith(right, 0);
      if (zero && !isFloat(node.dtype))
        return makeNode('constant', [], { value: 0, shape: [...node.shape], dtype: node.dtype });
      return keep(node, right, isFilledWith(left, 1)) ?? keep(node, left, isFilledWith(right, 1));
    }
    case 'div':
    case 'pow':
      return keep(node, left, isFilledWith(right, 1));
    default:
      return undefined;
  }
}

function doubleNegation(node: Node): Node | undefined {
  const operand = node.inputs[0]!;
  if (node.attrs.fn !== 'neg' || operand.op !== 'unary' || operand.attrs.fn !== 'neg') return undefined;
  return operand.inputs[0];
}

function castToSameDType(node: Node): Node | undefined {
  return keep(node, node.inputs[0]!, true);
}

function constantCondition(node: Node): Node | undefined {
  const [condition, ifTrue, ifFalse] = node.inputs as [Node, Node, Node];
  if (condition.op !== 'constant') return undefined;
  return keep(node, condition.attrs.value !== 0 ? ifTrue : ifFalse, true);
}

/** A reshape or broadcast to the operand's own shape. */
function identityMove(node: Node): Node | undefined {
  return keep(node, node.inputs[0]!, true);
}

function reshapeOfReshape(node: Node): Node | undefined {
  const inner = node.inputs[0]!;
  if (inner.op !== 'reshape') return undefined;
  return makeNode('reshape', [inner.inputs[0]!], node.attrs);
}

function broadcastOfBroadcast(node: Node): Node | undefined {
  const inner = node.inputs[0]!;
  if (inner.op !== 'broadcast') return undefined;
  // NumPy broadcasting is transitive: what broadcasts to the inner shape broadcasts to the outer one.
  return makeNode('broadcast', [inner.inputs[0]!], node.attrs);
}

function identityPermute(node: Node): Node | undefined {
  const perm = node.attrs.perm as readonly number[];
  return keep(
    node,
    node.inputs[0]!,
    perm.every((axis, index) => axis === index),
  );
}

function permuteOfPermute(node: Node): Node | undefined {
  const inner = node.inputs[0]!;
  if (inner.op !== 'permute') return undefined;
  const outerPerm = node.attrs.perm as readonly number[];
  const innerPerm = inner.attrs.perm as readonly number[];
  // Output axis i is inner axis outerPerm[i], which is source axis innerPerm[outerPerm[i]].
  return makeNode('permute', [inner.inputs[0]!], { perm: outerPerm.map((axis) => innerPerm[axis]!) });
}

/** `survivor` when `condition` holds and it already has the node's type. */
function keep(node: Node, survivor: Node, condition: boolean): Node | undefined {
  if (!condition || survivor.dtype !== node.dtype || !shapesEqual(survivor.shape, node.shape))
    return undefined;
  return survivor;
}

/** Whether `node` is a tensor with every element equal to `value`. */
function isFilledWith(node: Node, value: number): boolean {
  if (node.op === 'constant') return node.attrs.value === value;
  if (node.op === 'literal')
    return (node.attrs.values as readonly number[]).every((element) => element === value);
  return false;
}

function unreadMapOperands(node: Node): Node | undefined {
  const read = exprVariables(node.attrs.body as Expr);
  const kept = node.inputs.map((_, index) => index).filter((index) => read.has(`$${index}`));
  if (kept.length === node.inputs.length || kept.length === 0) return undefined;
  const operands = kept.map((index) => node.inputs[index]!);
  if (!shapesEqual(broadcastShapes(operands.map((operand) => operand.shape)), node.shape)) return undefined;
  const renumber = new Map(kept.map((index, position) => [`$${index}`, position]));
  const body = substituteExpr(node.attrs.body as Expr, (expr) => {
    const position = expr.kind === 'var' ? renumber.get(String(expr.payload)) : undefined;
    return position === undefined ? undefined : variable(`$${position}`, expr.dtype);
  });
  return makeNode('map', operands, { body });
}
