import { ShapeError } from '../errors.js';
import { type Expr, read } from '../expr/expr.js';
import { internNode, type Node } from '../graph/node.js';
import { integersAttr } from './attr-readers.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import type { OpDef, PlacedIndex } from './op-table.js';
import { operandContext } from './operand-checks.js';

/**
 * Reorders axes: output axis `i` is input axis `perm[i]` (NumPy `transpose(x, perm)`).
 *
 * @example
 * ```ts
 * const y = permute(input('x', [2, 3, 4]), [0, 2, 1]); // [2, 4, 3]
 * ```
 */
export function permute(x: Node, perm: readonly number[]): Node {
  return internNode(permuteOp, [x], { perm: [...perm] });
}

/**
 * Transposes `x`: reverses its axes, or applies `perm` when given.
 *
 * @example
 * ```ts
 * const y = transpose(input('x', [3, 4])); // [4, 3]
 * ```
 */
export function transpose(x: Node, perm?: readonly number[]): Node {
  return permute(x, perm ?? x.shape.map((_, axis) => x.rank - 1 - axis));
}

const lowerPermute = (node: Node, outputIndex: readonly Expr[]): Expr => {
  const perm = node.attrs.perm as number[];
  const index = new Array<Expr>(perm.length);
  perm.forEach((sourceAxis, axis) => {
    index[sourceAxis] = outputIndex[axis]!;
  });
  return read('$0', index, node.inputs[0]!.dtype);
};

const placePermute = (node: Node, operandIndex: readonly Expr[]): PlacedIndex => ({
  index: (node.attrs.perm as number[]).map((sourceAxis) => operandIndex[sourceAxis]!),
});

/** `permute`: `{ perm }`; output shape `[x.shape[perm[0]], x.shape[perm[1]], ...]`. */
export const permuteOp: OpDef = {
  name: 'permute',
  arity: 1,
  fusion: 'injective',
  evaluatesF32: true,
  infer([x], attrs, context) {
    const perm = integersAttr(attrs, 'perm', context, x!.shape.length);
    const sorted = [...perm].sort((a, b) => a - b);
    if (!sorted.every((axis, i) => axis === i)) {
      throw new ShapeError('perm is not a permutation of the axes', {
        ...operandContext(context, 0),
        expected: `a permutation of 0..${x!.shape.length - 1}`,
        actual: perm,
      });
    }
    return { shape: perm.map((axis) => x!.shape[axis]!), dtype: x!.dtype };
  },
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerPermute),
  lowerElement: lowerPermute,
  placeElement: placePermute,
};
