import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { type DType, input, interpret, makeGraph, type Node, type Tensor64 } from '../src/index.js';
import {
  encodeOnnxModel,
  expectClose,
  type OnnxElementType,
  type OnnxInitializer,
  type OnnxNode,
  type RandomTensorOptions,
  randomTensor,
} from '../src/testing/index.js';

/** One random input of a comparison case. */
export interface CaseInput extends Omit<RandomTensorOptions, 'dtype'> {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype?: DType;
  /** Explicit values instead of random ones (e.g. gather indices). */
  readonly values?: Tensor64;
}

/** A reference-vs-onnxruntime comparison of one op configuration. */
export interface OnnxCase {
  /** Summary row this case contributes to (e.g. `Add`). */
  readonly op: string;
  /** Case label for failure messages. */
  readonly label: string;
  readonly inputs: readonly CaseInput[];
  /** Builds the Weft node from input nodes (in `inputs` order). */
  readonly weft: (nodes: Node[]) => Node;
  /** The ONNX nodes computing output `y` from the inputs (and initializers). */
  readonly onnx: readonly OnnxNode[];
  readonly initializers?: readonly OnnxInitializer[];
  readonly opset?: number;
  /** ONNX type of `y` (default: from the Weft dtype; int64 for i32). */
  readonly outputType?: OnnxElementType;
  readonly rtol?: number;
  readonly atol?: number;
}

/** Largest normwise relative error seen per op, printed by {@link printSummary}. */
export const agreement = new Map<string, number>();

/** Runs `testCase` through the float64 interpreter and onnxruntime (CPU, float32) and compares. */
export async function compareWithOnnx(testCase: OnnxCase): Promise<void> {
  const values = testCase.inputs.map((spec, k) => {
    const { name: _name, shape, values: given, dtype = 'f32', ...options } = spec;
    return given ?? randomTensor(shape, { seed: 1000 + k * 7919 + testCase.label.length, dtype, ...options });
  });
  const nodes = testCase.inputs.map((spec, k) => input(spec.name, spec.shape, values[k]!.dtype));
  const output = testCase.weft(nodes);
  const feeds = Object.fromEntries(testCase.inputs.map((spec, k) => [spec.name, values[k]!]));
  const expected = interpret(makeGraph({ y: output }), { inputs: feeds }).y!;
  const model = encodeOnnxModel({
    opset: testCase.opset ?? 18,
    inputs: testCase.inputs.map((spec, k) => ({
      name: spec.name,
      type: onnxType(values[k]!.dtype),
      shape: spec.shape,
    })),
    outputs: [{ name: 'y', type: testCase.outputType ?? onnxType(output.dtype), shape: expected.shape }],
    nodes: testCase.onnx,
    initializers: testCase.initializers ?? [],
  });
  const session = await ort.InferenceSession.create(model);
  const ortFeeds = Object.fromEntries(testCase.inputs.map((spec, k) => [spec.name, toOrt(values[k]!)]));
  const result = (await session.run(ortFeeds)).y!;
  const actual = Float64Array.from(result.data as ArrayLike<number | bigint>, Number);
  expect(Array.from(result.dims, Number)).toEqual(expected.shape);
  const report = expectClose(actual, expected, {
    rtol: testCase.rtol ?? 2e-6,
    atol: testCase.atol ?? 1e-6,
    label: `${testCase.op} ${testCase.label}`,
  });
  agreement.set(testCase.op, Math.max(agreement.get(testCase.op) ?? 0, report.relativeError));
}

/** Prints one line per op with its worst relative error against onnxruntime. */
export function printSummary(title: string): void {
  const rows = [...agreement].map(([op, error]) => `${op}: ${error.toExponential(2)}`);
  console.log(`[onnxruntime agreement, ${title}] max normwise relative error per op — ${rows.join(', ')}`);
}

/** An int64 initializer (shapes, axes, pads, k). */
export function int64s(name: string, values: readonly number[]): OnnxInitializer {
  return { name, type: 'int64', shape: [values.length], values };
}

function onnxType(dtype: DType): OnnxElementType {
  return dtype === 'bool' ? 'bool' : dtype === 'i32' || dtype === 'u32' ? 'int32' : 'float';
}

function toOrt(tensor: Tensor64): ort.Tensor {
  const dims = [...tensor.shape];
  if (tensor.dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(tensor.data), dims);
  if (tensor.dtype === 'i32' || tensor.dtype === 'u32')
    return new ort.Tensor('int32', Int32Array.from(tensor.data), dims);
  return new ort.Tensor('float32', Float32Array.from(tensor.data), dims);
}
