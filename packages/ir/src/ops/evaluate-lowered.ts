import { InputError } from '../errors.js';
import { compileExpr } from '../expr/evaluate-expr.js';
import { type Expr, variable } from '../expr/expr.js';
import type { Node } from '../graph/node.js';
import { emptyTensor64 } from '../interpret/tensor64.js';
import { resolveShape, stridesOf } from '../shape.js';
import type { EvaluateEnv, Tensor64 } from './op-table.js';

/**
 * Reference evaluation of an elementwise or injective op through its own `lowerElement`: the
 * lowered Expr is evaluated at every output index (`i0, i1, ...`), reading operand `$k` from
 * `inputs[k]`. Defining the reference this way makes the Expr that fusion inlines the definition
 * of the op, so the two cannot disagree. A read outside an operand throws an {@link InputError}.
 */
export function evaluateByLowering(
  node: Node,
  inputs: readonly Tensor64[],
  env: EvaluateEnv,
  lower: (node: Node, outputIndex: readonly Expr[]) => Expr,
): Tensor64 {
  const shape = resolveShape(node.shape, env.dims);
  const body = compileExpr(
    lower(
      node,
      shape.map((_, axis) => variable(`i${axis}`, 'i32')),
    ),
    { precision: env.precision ?? 'f64' },
  );
  const variables: Record<string, number> = {};
  for (const [name, value] of Object.entries(env.dims)) variables[`dim:${name}`] = value;
  const inputStrides = inputs.map((input) => stridesOf(input.shape));
  const read = (tensor: string, index: readonly number[]): number => {
    const operand = Number(tensor.slice(1));
    const input = inputs[operand];
    const strides = inputStrides[operand];
    if (input === undefined || strides === undefined || !tensor.startsWith('$')) {
      throw new InputError(`op "${node.op}" reads an unknown operand`, {
        tensor,
        expected: `$0..$${inputs.length - 1}`,
      });
    }
    let offset = 0;
    for (let axis = 0; axis < input.shape.length; axis++) {
      const position = index[axis]!;
      if (!(position >= 0 && position < input.shape[axis]!)) {
        throw new InputError(`op "${node.op}" reads outside operand ${operand}`, {
          tensor: `${node.op} operand ${operand}`,
          dimension: axis,
          expected: `an index in 0..${input.shape[axis]! - 1}`,
          actual: position,
        });
      }
      offset += position * strides[axis]!;
    }
    return input.data[offset]!;
  };
  const result = emptyTensor64(shape, node.dtype);
  const counter = new Array<number>(shape.length).fill(0);
  const environment = { variables, read };
  for (let flat = 0; flat < result.data.length; flat++) {
    counter.forEach((value, axis) => {
      variables[`i${axis}`] = value;
    });
    result.data[flat] = body(environment);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++counter[axis]! < shape[axis]!) break;
      counter[axis] = 0;
    }
  }
  return result;
}
