import { isSymbolic } from '../dim.js';
import { isFloat, roundToDType } from '../dtype.js';
import { evaluateExpr } from '../expr/evaluate-expr.js';
import { constant, type Expr } from '../expr/expr.js';
import { exprNodes } from '../expr/substitute-expr.js';
import { makeNode } from '../graph/make-node.js';
import type { Node } from '../graph/node.js';
import { elementCount, stridesOf } from '../shape.js';

/**
 * Largest folded result kept as a `literal` node; bigger results stay computed (a kernel computes
 * them faster than a buffer upload and keeps programs small).
 */
export const LITERAL_FOLD_LIMIT = 256;

/**
 * Constant folding as a rewrite rule: an elementwise or injective node whose operands are all
 * `constant` (filled) or `literal` nodes is evaluated now, through the op's own `lowerElement`
 * (the same Expr the reference evaluates, so folding cannot disagree with it).
 * - A uniform result (elementwise ops, reshape/permute/broadcast/slice of `constant` operands)
 *   becomes a `constant` of the node's shape, symbolic dims included.
 * - Otherwise a result with static shape and at most {@link LITERAL_FOLD_LIMIT} elements becomes a `literal`.
 * Results that are not finite are left unfolded: attributes are JSON, which cannot hold NaN or
 * infinities, and the device keeps its own semantics for them.
 */
export function foldConstants(node: Node): Node | undefined {
  const def = node.def;
  if (def.fusion !== 'elementwise' && def.fusion !== 'injective') return undefined;
  if (def.lowerElement === undefined || node.inputs.length === 0) return undefined;
  if (!node.inputs.every((operand) => operand.op === 'constant' || operand.op === 'literal'))
    return undefined;
  // A map body that reads a symbolic dim's size (`dim:seq`) depends on the run, not on its operands.
  if (node.op === 'map' && readsDimSize(node.attrs.body as Expr)) return undefined;
  if (node.inputs.every((operand) => operand.op === 'constant') && preservesUniform(node)) {
    const value = evaluateAt(
      node,
      node.shape.map(() => 0),
    );
    if (!Number.isFinite(value)) return undefined;
    return makeNode('constant', [], { value, shape: [...node.shape], dtype: node.dtype });
  }
  if (node.shape.some(isSymbolic)) return undefined;
  const shape = node.shape as readonly number[];
  const count = elementCount(shape);
  if (count > LITERAL_FOLD_LIMIT) return undefined;
  const strides = stridesOf(shape);
  const values: number[] = [];
  for (let flat = 0; flat < count; flat++) {
    const value = evaluateAt(
      node,
      strides.map((stride, axis) => Math.floor(flat / stride) % shape[axis]!),
    );
    if (!Number.isFinite(value)) return undefined;
    values.push(value);
  }
  return makeNode('literal', [], { values, shape: [...shape], dtype: node.dtype });
}

// ---------------------------------------------------------------------------------------------
// Implementation

/** Injective ops that move elements of a uniform tensor without inventing values (unlike pad, concat). */
const UNIFORM_MOVES: ReadonlySet<string> = new Set(['reshape', 'permute', 'broadcast', 'slice']);

function preservesUniform(node: Node): boolean {
  const fusion = node.def.fusion;
  // `map` bodies may read the index variables, so its result need not be uniform.
  return (fusion === 'elementwise' && node.op !== 'map') || UNIFORM_MOVES.has(node.op);
}

/** The node's element at a concrete index, rounded as the reference rounds (integer and bool dtypes only). */
function evaluateAt(node: Node, index: readonly number[]): number {
  const body = node.def.lowerElement!(
    node,
    index.map((position) => constant(position, 'i32')),
  );
  // Sizes of symbolic dims may appear in index arithmetic; any valid binding gives the same value
  // for the uniform case, and the literal case has none.
  const variables: Record<string, number> = {};
  for (const operand of [node, ...node.inputs]) {
    for (const dim of operand.shape) if (isSymbolic(dim)) variables[`dim:${dim.name}`] = dim.max;
  }
  const value = evaluateExpr(body, {
    variables,
    read: (tensor, position) => sourceElement(node.inputs[Number(tensor.slice(1))]!, position),
  });
  return isFloat(node.dtype) ? value : roundToDType(value, node.dtype);
}

function readsDimSize(body: Expr): boolean {
  return exprNodes(body).some((expr) => expr.kind === 'var' && String(expr.payload).startsWith('dim:'));
}

function sourceElement(source: Node, index: readonly number[]): number {
  if (source.op === 'constant') return source.attrs.value as number;
  const shape = source.shape as readonly number[];
  const strides = stridesOf(shape);
  const offset = index.reduce((sum, position, axis) => sum + position * strides[axis]!, 0);
  return (source.attrs.values as readonly number[])[offset]!;
}
