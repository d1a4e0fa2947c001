import type { DimBindings } from '../dim.js';
import { isInteger, roundToDType } from '../dtype.js';
import { InputError, UnsupportedError } from '../errors.js';
import { type Graph, graphNodes } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import { registerBuiltinOps } from '../ops/builtin-ops.js';
import { getOp, type Tensor64 } from '../ops/op-table.js';
import { elementCount, resolveShape } from '../shape.js';
import { bindDims } from './bind-dims.js';

/** Tensor data for an input or parameter: a {@link Tensor64}, or row-major numbers of the declared shape. */
export type TensorData = Tensor64 | ArrayLike<number>;

/** Values of one reference run. */
export interface InterpretOptions {
  /** Run-time inputs by name (`input` ops). */
  readonly inputs?: Readonly<Record<string, TensorData>>;
  /** Parameters (weights) by name (`param` ops). */
  readonly params?: Readonly<Record<string, TensorData>>;
  /** Values of symbolic dims; unbound dims are taken from the shapes of `Tensor64` inputs. */
  readonly dims?: DimBindings;
}

/**
 * The float64 reference interpreter: evaluates every output of `graph` and returns them by name.
 * It is the definition of every op and the oracle for every kernel. Each node is computed once
 * with its op's `evaluate` (extension ops without one are evaluated through `decompose`);
 * results of integer and bool nodes are rounded to their dtype, floating-point results stay float64.
 * Throws an {@link InputError} naming an input or parameter that is missing or has the wrong size.
 *
 * @example
 * ```ts
 * const x = input('x', [2, 3]);
 * interpret(makeGraph({ y: exp(x) }), { inputs: { x: [1, 2, 3, 4, 5, 6] } }).y.data;
 * ```
 */
export function interpret(graph: Graph, options: InterpretOptions = {}): Record<string, Tensor64> {
  registerBuiltinOps();
  const nodes = graphNodes(graph);
  const dims = bindDims(nodes, options);
  const values = new Map<Node, Tensor64>();
  for (const node of nodes) evaluateNode(node, values, dims, options);
  const results: Record<string, Tensor64> = Object.create(null);
  for (const [name, node] of Object.entries(graph.outputs)) results[name] = values.get(node)!;
  return results;
}

function evaluateNode(
  node: Node,
  values: Map<Node, Tensor64>,
  dims: DimBindings,
  options: InterpretOptions,
): Tensor64 {
  const known = values.get(node);
  if (known !== undefined) return known;
  let result: Tensor64;
  if (node.op === 'input' || node.op === 'param') {
    result = sourceTensor(node, node.op === 'input' ? options.inputs : options.params, dims);
  } else {
    const def = getOp(node.op);
    const inputs = node.inputs.map((operand) => evaluateNode(operand, values, dims, options));
    if (def.evaluate !== undefined) {
      result = def.evaluate(inputs, node.attrs, node, { dims });
    } else if (def.decompose !== undefined) {
      // The decomposition's leaves are this node's operands, whose values are already known.
      result = evaluateNode(def.decompose(node), values, dims, options);
    } else {
      throw new UnsupportedError(`op "${node.op}" has neither evaluate nor decompose`, { actual: node.op });
    }
  }
  result = roundIntegerResult(result, node);
  values.set(node, result);
  return result;
}

function sourceTensor(node: Node, table: InterpretOptions['inputs'], dims: DimBindings): Tensor64 {
  const name = node.attrs.name as string;
  const kind = node.op === 'input' ? 'input' : 'parameter';
  const data = table !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
  const shape = resolveShape(node.shape, dims);
  const count = elementCount(shape);
  if (data === undefined) {
    throw new InputError(`${kind} is missing`, {
      tensor: name,
      expected: `${count} values, shape [${shape.join(', ')}]`,
    });
  }
  const values = 'data' in data && 'shape' in data ? (data as Tensor64).data : (data as ArrayLike<number>);
  if (values.length !== count) {
    throw new InputError(`${kind} has the wrong element count`, {
      tensor: name,
      expected: `${count} (shape [${shape.join(', ')}])`,
      actual: values.length,
    });
  }
  return { shape, dtype: node.dtype, data: Float64Array.from(values) };
}

function roundIntegerResult(tensor: Tensor64, node: Node): Tensor64 {
  const dtype = node.dtype;
  if (!isInteger(dtype) && dtype !== 'bool') return tensor.dtype === dtype ? tensor : { ...tensor, dtype };
  return { shape: tensor.shape, dtype, data: tensor.data.map((value) => roundToDType(value, dtype)) };
}
