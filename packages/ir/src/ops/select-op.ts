import { type Expr, read, select } from '../expr/expr.js';
import { internNode, type Node } from '../graph/node.js';
import { broadcastShapes } from '../shape.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import { broadcastIndex } from './index-math.js';
import type { OpDef } from './op-table.js';
import { expectDType, expectSameDType, operandContext } from './operand-checks.js';
import { full } from './source-ops.js';

/**
 * `condition ? ifTrue : ifFalse` elementwise, with NumPy broadcasting over all three. A number
 * branch becomes a scalar of the other branch's dtype.
 *
 * @example
 * ```ts
 * const x = input('x', [4, 8]);
 * const positive = where(elementwiseBinary('gt', x, 0), x, 0);
 * ```
 */
export function where(condition: Node, ifTrue: Node | number, ifFalse: Node | number): Node {
  const dtype =
    typeof ifTrue !== 'number' ? ifTrue.dtype : typeof ifFalse !== 'number' ? ifFalse.dtype : 'f32';
  const toNode = (value: Node | number): Node => (typeof value === 'number' ? full(value, [], dtype) : value);
  return internNode(selectOp, [condition, toNode(ifTrue), toNode(ifFalse)]);
}

const lowerSelect = (node: Node, outputIndex: readonly Expr[]): Expr => {
  const [condition, a, b] = node.inputs.map((operand, k) =>
    read(`$${k}`, broadcastIndex(operand.shape, node.shape, outputIndex), operand.dtype),
  ) as [Expr, Expr, Expr];
  return select(condition, a, b);
};

/** `select`: `(cond: bool, a, b)` → `cond ? a : b`, broadcasting; `a` and `b` share a dtype. */
export const selectOp: OpDef = {
  name: 'select',
  arity: 3,
  fusion: 'elementwise',
  evaluatesF32: true,
  infer(inputs, _attrs, context) {
    expectDType(inputs[0]!, 0, ['bool'], context);
    expectSameDType(inputs, context, 1);
    const shape = broadcastShapes(
      inputs.map((operand) => operand.shape),
      operandContext(context, 2),
    );
    return { shape, dtype: inputs[1]!.dtype };
  },
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerSelect),
  lowerElement: lowerSelect,
};
