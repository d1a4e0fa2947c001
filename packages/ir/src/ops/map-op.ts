import { DTypeError, SpecError } from '../errors.js';
import { type Expr, read } from '../expr/expr.js';
import { exprNodes, substituteExpr } from '../expr/substitute-expr.js';
import { internNode, type Node, type TensorType } from '../graph/node.js';
import { broadcastShapes } from '../shape.js';
import { exprAttr } from './attr-readers.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import { broadcastIndex } from './index-math.js';
import type { OpContext, OpDef } from './op-table.js';
import { operandContext } from './operand-checks.js';

/**
 * A custom elementwise function of broadcast operands: `body` is an Expr over `variable('$k', dtype)`
 * (element of operand k, whose dtype it must carry), the output index variables `i0, i1, ...` (i32)
 * and symbolic sizes `dim:<name>` (i32). The result has the body's dtype.
 *
 * @example
 * ```ts
 * const x = input('x', [4, 8]);
 * const gate = input('gate', [4, 8]);
 * // x * sigmoid(gate), fused into one elementwise node
 * mapElements([x, gate], variable('$0').mul(variable('$1').apply('sigmoid')));
 * ```
 */
export function mapElements(operands: readonly Node[], body: Expr): Node {
  return internNode(mapOp, operands, { body });
}

const INDEX_VARIABLE = /^i(\d+)$/;
const OPERAND_VARIABLE = /^\$(\d+)$/;

const lowerMap = (node: Node, outputIndex: readonly Expr[]): Expr =>
  substituteExpr(node.attrs.body as Expr, (expr) => {
    if (expr.kind !== 'var') return undefined;
    const name = String(expr.payload);
    const operand = OPERAND_VARIABLE.exec(name);
    if (operand !== null) {
      const source = node.inputs[Number(operand[1])]!;
      return read(name, broadcastIndex(source.shape, node.shape, outputIndex), source.dtype);
    }
    const axis = INDEX_VARIABLE.exec(name);
    return axis === null ? undefined : outputIndex[Number(axis[1])];
  });

/** `map`: `{ body }`, a custom elementwise Expr over broadcast operands (see {@link mapElements}). */
export const mapOp: OpDef = {
  name: 'map',
  arity: 'variadic',
  fusion: 'elementwise',
  evaluatesF32: true,
  infer(inputs, attrs, context) {
    const body = exprAttr(attrs, 'body', context);
    const shape = broadcastShapes(
      inputs.map((operand) => operand.shape),
      { ...(context.block === undefined ? {} : { block: context.block }), tensor: 'map operands' },
    );
    checkBody(body, inputs, shape.length, context);
    return { shape, dtype: body.dtype };
  },
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerMap),
  lowerElement: lowerMap,
};

/** Every variable of the body must be an operand, an output index or a dim size, with its dtype. */
function checkBody(body: Expr, inputs: readonly TensorType[], rank: number, context: OpContext): void {
  for (const expr of exprNodes(body)) {
    if (expr.kind === 'read') {
      throw new SpecError('a map body cannot read tensors; pass them as operands', {
        tensor: String(expr.payload),
        expected: "variable('$k')",
      });
    }
    if (expr.kind !== 'var') continue;
    const name = String(expr.payload);
    const operand = OPERAND_VARIABLE.exec(name);
    const axis = INDEX_VARIABLE.exec(name);
    const expectedDType = operand !== null ? inputs[Number(operand[1])]?.dtype : 'i32';
    const known =
      operand !== null
        ? expectedDType !== undefined
        : axis !== null
          ? Number(axis[1]) < rank
          : name.startsWith('dim:');
    if (!known) {
      throw new SpecError('map body uses an unknown variable', {
        tensor: name,
        expected: `$0..$${inputs.length - 1}, i0..i${rank - 1} or dim:<name>`,
      });
    }
    if (expr.dtype !== expectedDType) {
      const where = operand !== null ? operandContext(context, Number(operand[1])) : { tensor: name };
      throw new DTypeError('map body variable has the wrong dtype', {
        ...where,
        expected: expectedDType,
        actual: expr.dtype,
      });
    }
  }
}
