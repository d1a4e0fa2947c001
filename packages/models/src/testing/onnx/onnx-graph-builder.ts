import { SpecError } from '@weft/ir';
import type {
  OnnxAttribute,
  OnnxElementType,
  OnnxInitializer,
  OnnxModelSpec,
  OnnxNode,
  OnnxValueInfo,
} from '@weft/ir/test';

/**
 * The default-domain opset of the models' ONNX graphs: 23 has `RMSNormalization`, `Gelu` (20) and
 * `LayerNormalization` (17), all run by onnxruntime-node's CPU provider.
 */
export const MODEL_OPSET = 23;

/** Weights by parameter name, row-major (the names and layouts Weft's graphs document). */
export type OnnxWeights = Readonly<Record<string, ArrayLike<number>>>;

/**
 * Builds one ONNX graph node by node: each method adds a standard ONNX operator and returns the
 * name of its output, so a model reads as the composition of ONNX ops. Constants and weights
 * become initializers.
 */
export class OnnxGraphBuilder {
  readonly #nodes: OnnxNode[] = [];
  readonly #initializers: OnnxInitializer[] = [];
  readonly #weights: OnnxWeights;
  readonly #weightsAdded = new Set<string>();
  #count = 0;

  /** @param weights the model's weights by parameter name, read by {@link OnnxGraphBuilder.weight}. */
  constructor(weights: OnnxWeights) {
    this.#weights = weights;
  }

  /** Adds `opType` over `inputs` and returns its single output's name. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, OnnxAttribute>): string {
    return this.ops(opType, inputs, 1, attributes)[0]!;
  }

  /** Adds `opType` with `outputs` outputs and returns their names. */
  ops(
    opType: string,
    inputs: readonly string[],
    outputs: number,
    attributes?: Record<string, OnnxAttribute>,
  ): string[] {
    const names = Array.from({ length: outputs }, () => `${opType.toLowerCase()}_${this.#count++}`);
    this.#nodes.push({ opType, inputs, outputs: names, ...(attributes === undefined ? {} : { attributes }) });
    return names;
  }

  /** A constant tensor (an initializer). */
  constant(values: readonly number[], shape: readonly number[], type: OnnxElementType = 'float'): string {
    const name = `const_${this.#count++}`;
    this.#initializers.push({ name, type, shape, values });
    return name;
  }

  /** An int64 vector constant (shapes, axes, starts and ends). */
  ints(values: readonly number[]): string {
    return this.constant(values, [values.length], 'int64');
  }

  /** A float scalar constant. */
  scalar(value: number): string {
    return this.constant([value], [], 'float');
  }

  /** The weight `name` of the model as an f32 initializer of `shape` (added once). */
  weight(name: string, shape: readonly number[]): string {
    if (this.#weightsAdded.has(name)) return name;
    const values = this.#weights[name];
    if (values === undefined) throw new SpecError(`ONNX model: no weight "${name}"`, { tensor: name });
    const expected = shape.reduce((product, size) => product * size, 1);
    if (values.length !== expected)
      throw new SpecError(
        `ONNX model: weight "${name}" has ${values.length} values, [${shape}] needs ${expected}`,
        { tensor: name, expected: shape, actual: values.length },
      );
    this.#initializers.push({ name, type: 'float', shape, values: Array.from(values) });
    this.#weightsAdded.add(name);
    return name;
  }

  /** The model: graph inputs and outputs over the nodes added so far. `outputs` rename values. */
  model(
    inputs: readonly OnnxValueInfo[],
    outputs: readonly (OnnxValueInfo & { readonly value: string })[],
  ): OnnxModelSpec {
    const renames = outputs.map(({ value, name }) => ({
      opType: 'Identity',
      inputs: [value],
      outputs: [name],
    }));
    return {
      opset: MODEL_OPSET,
      inputs,
      outputs: outputs.map(({ value: _value, ...output }) => output),
      nodes: [...this.#nodes, ...renames],
      initializers: this.#initializers,
    };
  }
}
