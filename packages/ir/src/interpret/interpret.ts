import type { DimBindings } from '../dim.js';
import { isInteger, roundToDType } from '../dtype.js';
import { InputError, UnsupportedError } from '../errors.js';
import { type Graph, graphNodes } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import type { EvaluateEnv, Precision, Tensor64 } from '../ops/op-table.js';
import { isNamedSource } from '../ops/source-groups.js';
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
  /**
   * `f64` (default): the float64 reference. `f32`: the same unfused graph in f32 arithmetic, the
   * yardstick of the f32 error budget (`docs/guides/error-budget.md`): inputs, parameters and
   * constants are rounded to f32, every floating-point result is rounded to f32 as it is produced
   * (each step of an elementwise Expr, each product and partial sum of a matmul or convolution),
   * and reductions accumulate in one f32 value, in order. Extension ops whose `evaluate` does not
   * honour f32 (`OpDef.evaluatesF32`) are evaluated through their decomposition, or, without
   * one, in float64 with only their result rounded.
   */
  readonly precision?: Precision;
}

/**
 * The float64 reference interpreter: evaluates every output of `graph` and returns them by name.
 * It is the definition of every op and the oracle for every kernel. With `precision: 'f32'` it
 * evaluates the same unfused graph in f32 arithmetic instead (see {@link InterpretOptions.precision}).
 * Each node is computed once with its op's `evaluate` (extension ops without one are evaluated
 * through `decompose`);
 * results of integer and bool nodes are rounded to their dtype, floating-point results stay float64.
 * Throws an {@link InputError} naming an input or parameter that is missing or has the wrong size.
 *
 * @example
 * ```ts
 * const x = input('x', [2, 3]);
 * interpret(makeGraph({ y: exp(x) }), { inputs: { x: [1, 2, 3, 4, 5, 6] } }).y!.data;
 * ```
 */
export function interpret(graph: Graph, options: InterpretOptions = {}): Record<string, Tensor64> {
  const nodes = graphNodes(graph);
  const env: EvaluateEnv = { dims: bindDims(nodes, options), precision: options.precision ?? 'f64' };
  const values = new Map<Node, Tensor64>();
  for (const node of nodes) evaluateNode(node, values, env, options);
  const results: Record<string, Tensor64> = Object.create(null);
  for (const [name, node] of Object.entries(graph.outputs)) results[name] = values.get(node)!;
  return results;
}

function evaluateNode(
  node: Node,
  values: Map<Node, Tensor64>,
  env: EvaluateEnv,
  options: InterpretOptions,
): Tensor64 {
  const known = values.get(node);
  if (known !== undefined) return known;
  let result: Tensor64;
  const f32 = env.precision === 'f32';
  if (isNamedSource(node)) {
    result = sourceTensor(node, node.op === 'input' ? options.inputs : options.params, env.dims);
  } else {
    const def = node.def;
    const inputs = node.inputs.map((operand) => evaluateNode(operand, values, env, options));
    // In f32, an op that cannot evaluate itself in f32 runs as its decomposition where it has one.
    const decomposeInF32 = f32 && def.evaluatesF32 !== true && def.decompose !== undefined;
    if (def.evaluate !== undefined && !decomposeInF32) {
      result = def.evaluate(inputs, node.attrs, node, env);
    } else if (def.decompose !== undefined) {
      // The decomposition's leaves are this node's operands, whose values are already known.
      result = evaluateNode(def.decompose(node), values, env, options);
    } else {
      throw new UnsupportedError(`op "${node.op}" has neither evaluate nor decompose`, { actual: node.op });
    }
  }
  result = f32 ? roundToF32Result(result, node) : roundIntegerResult(result, node);
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

/** f32 mode: integer and bool results as in f64, floating-point results rounded to f32. */
function roundToF32Result(tensor: Tensor64, node: Node): Tensor64 {
  const dtype = node.dtype;
  if (isInteger(dtype) || dtype === 'bool') return roundIntegerResult(tensor, node);
  return { shape: tensor.shape, dtype, data: tensor.data.map(Math.fround) };
}

function roundIntegerResult(tensor: Tensor64, node: Node): Tensor64 {
  const dtype = node.dtype;
  if (!isInteger(dtype) && dtype !== 'bool') return tensor.dtype === dtype ? tensor : { ...tensor, dtype };
  return { shape: tensor.shape, dtype, data: tensor.data.map((value) => roundToDType(value, dtype)) };
}
