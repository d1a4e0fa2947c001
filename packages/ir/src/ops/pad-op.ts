import { isSymbolic } from '../dim.js';
import { ShapeError } from '../errors.js';
import { binary, constant, type Expr, read, select } from '../expr/expr.js';
import { internNode, type Node } from '../graph/node.js';
import { integersAttr, numberAttr } from './attr-readers.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import { clampIndex, dimExpr, indexConstant, subIndex } from './index-math.js';
import type { OpDef } from './op-table.js';
import { operandContext } from './operand-checks.js';

/**
 * Constant padding: axis `d` gets `before[d]` elements of `value` in front and `after[d]` behind
 * (one entry per axis, each >= 0). Output dim `d` is `before[d] + x.shape[d] + after[d]`.
 *
 * @example
 * ```ts
 * const y = pad(input('x', [4, 8]), [0, 2], [0, 2]); // [4, 12], zeros on both sides of the last axis
 * ```
 */
export function pad(x: Node, before: readonly number[], after: readonly number[], value = 0): Node {
  return internNode(padOp, [x], { before: [...before], after: [...after], value });
}

const lowerPad = (node: Node, outputIndex: readonly Expr[]): Expr => {
  const source = node.inputs[0]!;
  const before = node.attrs.before as number[];
  let inside: Expr | undefined;
  const index = source.shape.map((dim, axis) => {
    if (before[axis] === 0 && (node.attrs.after as number[])[axis] === 0) return outputIndex[axis]!;
    const shifted = subIndex(outputIndex[axis]!, indexConstant(before[axis]!));
    const upper = binary('lt', shifted, dimExpr(dim));
    const inAxis = binary('and', binary('ge', shifted, indexConstant(0)), upper);
    inside = inside === undefined ? inAxis : binary('and', inside, inAxis);
    // Clamped so that the read stays in bounds where the select discards it.
    return clampIndex(shifted, dim);
  });
  const value = read('$0', index, source.dtype);
  return inside === undefined
    ? value
    : select(inside, value, constant(node.attrs.value as number, node.dtype));
};

/** `pad`: `{ before, after, value }`, constant padding per axis. */
export const padOp: OpDef = {
  name: 'pad',
  arity: 1,
  fusion: 'injective',
  evaluatesF32: true,
  infer([x], attrs, context) {
    const before = integersAttr(attrs, 'before', context, x!.shape.length);
    const after = integersAttr(attrs, 'after', context, x!.shape.length);
    numberAttr(attrs, 'value', context);
    const shape = x!.shape.map((dim, axis) => {
      const front = before[axis]!;
      const back = after[axis]!;
      if (front < 0 || back < 0 || (isSymbolic(dim) && front + back > 0)) {
        throw new ShapeError('invalid padding', {
          ...operandContext(context, 0, axis),
          expected: isSymbolic(dim) ? 'no padding on a symbolic axis' : 'non-negative padding',
          actual: { before: front, after: back },
        });
      }
      return isSymbolic(dim) ? dim : front + dim + back;
    });
    return { shape, dtype: x!.dtype };
  },
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerPad),
  lowerElement: lowerPad,
};
