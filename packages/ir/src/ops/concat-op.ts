import { dimsEqual, formatDim } from '../dim.js';
import { ShapeError } from '../errors.js';
import { binary, type Expr, read, select } from '../expr/expr.js';
import { internNode, type Node } from '../graph/node.js';
import { normalizeAxis } from '../shape.js';
import { integerAttr } from './attr-readers.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import { clampIndex, indexConstant, subIndex } from './index-math.js';
import type { OpDef } from './op-table.js';
import { expectSameDType, operandContext, staticDim } from './operand-checks.js';

/**
 * Joins tensors along `axis` (negative counts from the end); other dims must agree.
 *
 * @example
 * ```ts
 * const y = concat([input('a', [2, 8]), input('b', [3, 8])], 0); // [5, 8]
 * ```
 */
export function concat(tensors: readonly Node[], axis = 0): Node {
  return internNode(concatOp, tensors, { axis });
}

const lowerConcat = (node: Node, outputIndex: readonly Expr[]): Expr => {
  const axis = normalizeAxis(node.attrs.axis as number, node.rank);
  const offsets = [0];
  for (const operand of node.inputs) offsets.push(offsets.at(-1)! + (operand.shape[axis] as number));
  const position = outputIndex[axis]!;
  const readOperand = (k: number): Expr => {
    const operand = node.inputs[k]!;
    const index = [...outputIndex];
    // Clamped so that the discarded branches of the select still read in bounds on a GPU.
    index[axis] = clampIndex(subIndex(position, indexConstant(offsets[k]!)), operand.shape[axis]!);
    return read(`$${k}`, index, operand.dtype);
  };
  let value = readOperand(node.inputs.length - 1);
  for (let k = node.inputs.length - 2; k >= 0; k--) {
    value = select(binary('lt', position, indexConstant(offsets[k + 1]!)), readOperand(k), value);
  }
  return value;
};

/** `concat`: `{ axis }`, variadic; the concatenated axis must be static unless there is one operand. */
export const concatOp: OpDef = {
  name: 'concat',
  arity: 'variadic',
  fusion: 'injective',
  evaluatesF32: true,
  infer(inputs, attrs, context) {
    if (inputs.length === 0) {
      throw new ShapeError('concat needs at least one operand', {
        tensor: 'concat',
        expected: '>= 1',
        actual: 0,
      });
    }
    const first = inputs[0]!;
    const axis = normalizeAxis(
      integerAttr(attrs, 'axis', context),
      first.shape.length,
      operandContext(context, 0),
    );
    expectSameDType(inputs, context);
    let total = 0;
    inputs.forEach((operand, k) => {
      if (operand.shape.length !== first.shape.length) {
        throw new ShapeError('concat operands differ in rank', {
          ...operandContext(context, k),
          expected: first.shape.length,
          actual: operand.shape.length,
        });
      }
      operand.shape.forEach((dim, d) => {
        if (d !== axis && !dimsEqual(dim, first.shape[d]!)) {
          throw new ShapeError('concat operands differ off the concatenated axis', {
            ...operandContext(context, k, d),
            expected: formatDim(first.shape[d]!),
            actual: formatDim(dim),
          });
        }
      });
      if (inputs.length > 1) total += staticDim(operand.shape[axis]!, k, axis, context);
    });
    const shape = [...first.shape];
    if (inputs.length > 1) shape[axis] = total;
    return { shape, dtype: first.dtype };
  },
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerConcat),
  lowerElement: lowerConcat,
};
