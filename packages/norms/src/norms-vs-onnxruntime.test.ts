import { input, makeGraph, type Node } from '@weft/ir';
import { encodeOnnxModel, type OnnxNode } from '@weft/ir/test';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, it } from 'vitest';
import { batchNorm, groupNorm, instanceNorm, layerNorm, rmsNorm } from './index.js';
import { expectMatches, printWorstErrors, run, values } from './test-support/cases.js';

afterAll(() =>
  printWorstErrors('norms: interpreter (float64) vs onnxruntime-node CPU (float32), normwise relative error'),
);

/** onnxruntime computes in float32: its rounding (≈6e-8 per op, a few ops per element) bounds the agreement. */
const ORT_TOLERANCE = { rtol: 2e-5, atol: 2e-6 } as const;

interface OrtCase {
  readonly layer: string;
  readonly shape: number[];
  /** The Weft layer over input `x`; parameters named `p.*`. */
  readonly weft: (x: Node) => Node;
  /** The ONNX node computing `y` from `x` and the parameter initializers. */
  readonly onnx: OnnxNode;
  readonly opset: number;
  /** Parameters: Weft name → ONNX initializer name, shape, and an optional value range. */
  readonly params: readonly { weft: string; onnx: string; shape: number[]; min?: number }[];
}

async function compareWithOrt(testCase: OrtCase, seed: number): Promise<void> {
  const x = values(testCase.shape, seed, { min: -3, max: 3 });
  const params = testCase.params.map((p, k) => ({
    ...p,
    data: values(p.shape, seed + k + 1, { min: p.min ?? -1, max: p.min === undefined ? 1 : 2 }),
  }));
  const expected = run(
    makeGraph({ y: testCase.weft(input('x', testCase.shape)) }),
    { x },
    Object.fromEntries(params.map((p) => [p.weft, p.data])),
  );
  const model = encodeOnnxModel({
    opset: testCase.opset,
    inputs: [{ name: 'x', type: 'float', shape: testCase.shape }],
    outputs: [{ name: 'y', type: 'float', shape: testCase.shape }],
    nodes: [testCase.onnx],
    initializers: params.map((p) => ({
      name: p.onnx,
      type: 'float' as const,
      shape: p.shape,
      values: Array.from(p.data),
    })),
  });
  const session = await ort.InferenceSession.create(model);
  const result = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), testCase.shape) });
  expectMatches(
    testCase.layer,
    Float64Array.from(result.y!.data as Float32Array),
    expected.data,
    ORT_TOLERANCE,
  );
}

describe('normalization layers vs onnxruntime-node', () => {
  it.each([
    [4, 37],
    [3, 1],
    [2, 3, 65],
  ])('LayerNormalization (opset 17) over the last axis of %j', async (...shape) => {
    const width = shape[shape.length - 1]!;
    await compareWithOrt(
      {
        layer: 'LayerNorm',
        shape,
        weft: (x) => layerNorm(x, { name: 'p' }),
        onnx: {
          opType: 'LayerNormalization',
          inputs: ['x', 'gamma', 'beta'],
          outputs: ['y'],
          attributes: { axis: { int: -1 }, epsilon: { float: 1e-5 } },
        },
        opset: 17,
        params: [
          { weft: 'p.gamma', onnx: 'gamma', shape: [width] },
          { weft: 'p.beta', onnx: 'beta', shape: [width] },
        ],
      },
      shape.length * 101 + width,
    );
  });

  it('LayerNormalization (opset 17) over the last two axes', async () => {
    await compareWithOrt(
      {
        layer: 'LayerNorm',
        shape: [3, 5, 7],
        weft: (x) => layerNorm(x, { axes: [1, 2], name: 'p' }),
        onnx: {
          opType: 'LayerNormalization',
          inputs: ['x', 'gamma', 'beta'],
          outputs: ['y'],
          attributes: { axis: { int: 1 } },
        },
        opset: 17,
        params: [
          { weft: 'p.gamma', onnx: 'gamma', shape: [5, 7] },
          { weft: 'p.beta', onnx: 'beta', shape: [5, 7] },
        ],
      },
      7,
    );
  });

  it.each([
    { shape: [2, 6, 5, 3], groups: 3 },
    { shape: [1, 8, 9], groups: 4 },
  ])('GroupNormalization (opset 21) on $shape in $groups groups', async ({ shape, groups }) => {
    await compareWithOrt(
      {
        layer: 'GroupNorm',
        shape,
        weft: (x) => groupNorm(x, { groups, name: 'p' }),
        onnx: {
          opType: 'GroupNormalization',
          inputs: ['x', 'scale', 'bias'],
          outputs: ['y'],
          attributes: { num_groups: { int: groups }, epsilon: { float: 1e-5 } },
        },
        opset: 21,
        params: [
          { weft: 'p.gamma', onnx: 'scale', shape: [shape[1]!] },
          { weft: 'p.beta', onnx: 'bias', shape: [shape[1]!] },
        ],
      },
      groups * 13,
    );
  });

  // One spatial position is left to the numerics tests: onnxruntime's variance there is ~1e-8 instead
  // of 0 (E[x²] − μ² in float32), which 1/√ε amplifies to a 2e-5 deviation from the exact answer.
  it.each([
    [2, 3, 5, 7],
    [3, 4, 9],
  ])('InstanceNormalization on %j', async (...shape) => {
    await compareWithOrt(
      {
        layer: 'InstanceNorm',
        shape,
        weft: (x) => instanceNorm(x, { affine: true, name: 'p' }),
        onnx: {
          opType: 'InstanceNormalization',
          inputs: ['x', 'scale', 'bias'],
          outputs: ['y'],
          attributes: { epsilon: { float: 1e-5 } },
        },
        opset: 17,
        params: [
          { weft: 'p.gamma', onnx: 'scale', shape: [shape[1]!] },
          { weft: 'p.beta', onnx: 'bias', shape: [shape[1]!] },
        ],
      },
      shape.length * 17,
    );
  });

  it.each([
    [2, 3, 5, 7],
    [4, 6],
  ])('BatchNormalization (inference) on %j', async (...shape) => {
    const channels = shape[1]!;
    await compareWithOrt(
      {
        layer: 'BatchNorm',
        shape,
        weft: (x) => batchNorm(x, { name: 'p' }),
        onnx: {
          opType: 'BatchNormalization',
          inputs: ['x', 'scale', 'bias', 'mean', 'var'],
          outputs: ['y'],
          attributes: { epsilon: { float: 1e-5 } },
        },
        opset: 15,
        params: [
          { weft: 'p.gamma', onnx: 'scale', shape: [channels] },
          { weft: 'p.beta', onnx: 'bias', shape: [channels] },
          { weft: 'p.runningMean', onnx: 'mean', shape: [channels] },
          { weft: 'p.runningVar', onnx: 'var', shape: [channels], min: 0.2 },
        ],
      },
      shape.length * 19,
    );
  });

  it.each([
    [4, 37],
    [3, 1],
    [2, 5, 64],
  ])('RMSNormalization (opset 23) over the last axis of %j', async (...shape) => {
    const width = shape[shape.length - 1]!;
    await compareWithOrt(
      {
        layer: 'RMSNorm',
        shape,
        weft: (x) => rmsNorm(x, { name: 'p', eps: 1e-6 }),
        onnx: {
          opType: 'RMSNormalization',
          inputs: ['x', 'scale'],
          outputs: ['y'],
          attributes: { axis: { int: -1 }, epsilon: { float: 1e-6 } },
        },
        opset: 23,
        params: [{ weft: 'p.gamma', onnx: 'scale', shape: [width] }],
      },
      shape.length * 23 + width,
    );
  });
});
