import { DTYPES, type DType } from '../dtype.js';
import { cast, type Expr, read } from '../expr/expr.js';
import { internNode, type Node } from '../graph/node.js';
import { choiceAttr } from './attr-readers.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import type { OpDef } from './op-table.js';

/**
 * Converts `x` to `dtype` elementwise (WGSL rules: float → integer truncates toward zero and
 * saturates; anything → bool is `x != 0`; bool → number is 0 or 1).
 *
 * @example
 * ```ts
 * const y = astype(input('tokens', [4], 'i32'), 'f32');
 * ```
 */
export function astype(x: Node, dtype: DType): Node {
  return internNode(castOp, [x], { dtype });
}

const lowerCast = (node: Node, outputIndex: readonly Expr[]): Expr =>
  cast(read('$0', outputIndex, node.inputs[0]!.dtype), node.dtype);

/** `cast`: `{ dtype }`, elementwise conversion. */
export const castOp: OpDef = {
  name: 'cast',
  arity: 1,
  fusion: 'elementwise',
  evaluatesF32: true,
  infer: ([x], attrs, context) => ({ shape: x!.shape, dtype: choiceAttr(attrs, 'dtype', DTYPES, context) }),
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerCast),
  lowerElement: lowerCast,
};
