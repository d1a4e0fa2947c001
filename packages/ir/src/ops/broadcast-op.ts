import { type Dim, dimsEqual, formatDim } from '../dim.js';
import { ShapeError } from '../errors.js';
import { type Expr, read } from '../expr/expr.js';
import { internNode, type Node } from '../graph/node.js';
import { formatShape } from '../shape.js';
import { dimsAttr } from './attr-readers.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import { broadcastIndex } from './index-math.js';
import type { OpDef } from './op-table.js';
import { operandContext } from './operand-checks.js';

/**
 * Broadcasts `x` to `shape` by NumPy rules (right-aligned; each dim of `x` equals the target's or is 1).
 *
 * @example
 * ```ts
 * const y = broadcastTo(input('bias', [1, 8]), [4, 8]);
 * ```
 */
export function broadcastTo(x: Node, shape: readonly Dim[]): Node {
  return internNode(broadcastOp, [x], { shape: [...shape] });
}

const lowerBroadcast = (node: Node, outputIndex: readonly Expr[]): Expr => {
  const source = node.inputs[0]!;
  return read('$0', broadcastIndex(source.shape, node.shape, outputIndex), source.dtype);
};

/** `broadcast`: `{ shape }`, NumPy broadcasting of one operand to a target shape. */
export const broadcastOp: OpDef = {
  name: 'broadcast',
  arity: 1,
  fusion: 'injective',
  evaluatesF32: true,
  infer([x], attrs, context) {
    const shape = dimsAttr(attrs, 'shape', context);
    const offset = shape.length - x!.shape.length;
    x!.shape.forEach((dim, axis) => {
      const target = shape[axis + offset];
      if (target === undefined || (dim !== 1 && !dimsEqual(dim, target))) {
        throw new ShapeError('operand does not broadcast to the target shape', {
          ...operandContext(context, 0, axis),
          expected: target === undefined ? `rank <= ${shape.length}` : `${formatDim(target)} or 1`,
          actual: `${formatDim(dim)} (target ${formatShape(shape)})`,
        });
      }
    });
    return { shape, dtype: x!.dtype };
  },
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerBroadcast),
  lowerElement: lowerBroadcast,
};
