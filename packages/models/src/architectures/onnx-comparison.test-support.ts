/**
 * Weft's architectures against onnxruntime-node: the same seeded weights and inputs through
 * Weft's graph and through an ONNX graph of the same model written with standard operators
 * (`src/testing/onnx/`), compared output by output.
 *
 * The budget is the f32 rule of docs/guides/error-budget.md carried over to an external f32
 * implementation: each f32 result (onnxruntime's, Weft's on the device) is within
 * `2 × max(e_f32, 1.2e-7)` of float64, where `e_f32` is the error of the same graph evaluated in
 * f32 on the CPU; so two f32 results agree within twice that, and Weft's CPU backend (float64
 * rounded to f32) within it plus one rounding.
 */
import { type Graph, interpret, type Tensor64, tensor64 } from '@weft/ir';
import { encodeOnnxModel, type OnnxModelSpec, relativeError } from '@weft/ir/test';
import * as ort from 'onnxruntime-node';
import { randomGraphParams } from '../testing/random-graph-params.js';

/** The smallest f32 error the rule credits an evaluation with (about one f32 rounding). */
export const F32_FLOOR = 1.2e-7;

/** Seeded random parameters of `graph`, rounded to f32 so that every backend reads the same values. */
export function f32Params(graph: Graph, seed: number): Record<string, Float32Array> {
  return Object.fromEntries(
    Object.entries(randomGraphParams(graph, seed)).map(([name, t]) => [name, Float32Array.from(t.data)]),
  );
}

/** One architecture's inputs, for Weft (float64 tensors, `i32` for indices) and for onnxruntime. */
export interface ComparisonInputs {
  readonly weft: Record<string, Tensor64>;
  readonly dims?: Record<string, number>;
  readonly onnx: Record<string, ort.Tensor>;
}

/** Integer inputs: an i32 tensor for Weft, an int64 one for onnxruntime. */
export function indexInput(shape: number[], values: readonly number[]): { weft: Tensor64; onnx: ort.Tensor } {
  return {
    weft: tensor64(shape, values, 'i32'),
    onnx: new ort.Tensor(
      'int64',
      BigInt64Array.from(values, (value) => BigInt(value)),
      shape,
    ),
  };
}

/** Float inputs: the same f32 values for both. */
export function floatInput(shape: number[], values: ArrayLike<number>): { weft: Tensor64; onnx: ort.Tensor } {
  const single = Float32Array.from(values);
  return { weft: tensor64(shape, single), onnx: new ort.Tensor('float32', single, shape) };
}

/** The Weft inputs as a compiled program takes them: `Int32Array` for indices, `Float32Array` else. */
export function programFeeds(inputs: ComparisonInputs): Record<string, Int32Array | Float32Array> {
  return Object.fromEntries(
    Object.entries(inputs.weft).map(([name, t]) => [
      name,
      t.dtype === 'i32' ? Int32Array.from(t.data) : Float32Array.from(t.data),
    ]),
  );
}

/** Runs an ONNX model on onnxruntime-node's CPU provider; outputs by name. */
export async function runOnnx(
  model: OnnxModelSpec,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(encodeOnnxModel(model));
  try {
    const result = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(result).map(([name, tensor]) => [name, tensor.data as Float32Array]),
    );
  } finally {
    await session.release();
  }
}

/** The float64 and f32 evaluations of a graph on the CPU, the yardsticks of the budget. */
export interface Yardsticks {
  readonly exact: Record<string, Float64Array>;
  /** Per output: `max(e_f32, F32_FLOOR)`. */
  readonly f32Error: Record<string, number>;
}

/** Evaluates `graph` in float64 and in f32 with the reference interpreter. */
export function yardsticks(
  graph: Graph,
  params: Record<string, Float32Array>,
  inputs: ComparisonInputs,
): Yardsticks {
  const tensors = Object.fromEntries(
    Object.entries(params).map(([name, data]) => [name, Float64Array.from(data)]),
  );
  const common = { inputs: inputs.weft, params: tensors, dims: inputs.dims ?? {} };
  const exact = interpret(graph, common);
  const single = interpret(graph, { ...common, precision: 'f32' });
  const f32Error: Record<string, number> = {};
  for (const name of Object.keys(graph.outputs))
    f32Error[name] = Math.max(relativeError(single[name]!.data, exact[name]!.data), F32_FLOOR);
  return {
    exact: Object.fromEntries(Object.keys(graph.outputs).map((name) => [name, exact[name]!.data])),
    f32Error,
  };
}

/** One output compared: Weft's (CPU or device) and onnxruntime's, each against float64 and each other. */
export interface OutputComparison {
  readonly output: string;
  /** Normwise relative error of Weft's output against onnxruntime's. */
  readonly weftVersusOnnx: number;
  readonly weftVersusExact: number;
  readonly onnxVersusExact: number;
  /** `max(e_f32, F32_FLOOR)` of the output. */
  readonly f32Error: number;
}

/** Compares every output of the graph. */
export function compareOutputs(
  weft: Record<string, ArrayLike<number>>,
  onnx: Record<string, Float32Array>,
  reference: Yardsticks,
): OutputComparison[] {
  return Object.keys(reference.exact).map((output) => ({
    output,
    weftVersusOnnx: relativeError(weft[output]!, onnx[output]!),
    weftVersusExact: relativeError(weft[output]!, reference.exact[output]!),
    onnxVersusExact: relativeError(onnx[output]!, reference.exact[output]!),
    f32Error: reference.f32Error[output]!,
  }));
}

/** One line of a comparison for the test log. */
export function describeComparison(
  label: string,
  backend: string,
  row: OutputComparison,
  ms: number,
): string {
  return (
    `${label} ${row.output}: Weft ${backend} vs onnxruntime ${row.weftVersusOnnx.toExponential(2)}` +
    ` (Weft vs float64 ${row.weftVersusExact.toExponential(2)}, onnxruntime vs float64 ${row.onnxVersusExact.toExponential(2)},` +
    ` f32 CPU ${row.f32Error.toExponential(2)}), ${ms.toFixed(0)} ms`
  );
}
