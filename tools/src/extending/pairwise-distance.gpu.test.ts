import {
  GraphError,
  graphFromJSON,
  graphToJSON,
  input,
  interpret,
  makeGraph,
  mul,
  ShapeError,
  symbolicDim,
  type Tensor64,
} from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { normwiseError } from '../fuzz/run-device-case.js';
import { pairwiseDistance, pairwiseSquaredDistance } from './pairwise-distance.js';

const [N, M, D] = [19, 23, 12];

/** ‖x_i − y_j‖² from its definition, in float64. */
function dense(x: Tensor64, y: Tensor64): Float64Array {
  const out = new Float64Array(N * M);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < M; j++) {
      let total = 0;
      for (let d = 0; d < D; d++) total += (x.data[i * D + d]! - y.data[j * D + d]!) ** 2;
      out[i * M + j] = total;
    }
  return out;
}

describe('a user-defined op with its own template (docs/guides/extending-weft.md)', () => {
  // A scale of x before the op runs as a kernel of its own: opaque ops take no fused prologue.
  const graph = () =>
    makeGraph({ out: pairwiseSquaredDistance(mul(input('x', [N, D]), 0.5), input('y', [M, D])) });
  const inputs = { x: randomTensor([N, D], { seed: 21 }), y: randomTensor([M, D], { seed: 22 }) };
  const halved = { ...inputs.x, data: inputs.x.data.map((value) => value * 0.5) };

  it('its float64 reference and its decomposition match the dense formula', () => {
    const expected = dense(halved, inputs.y);
    expect(normwiseError(interpret(graph(), { inputs }).out!.data, expected)).toBeLessThan(1e-14);
    const f32 = interpret(graph(), { inputs, precision: 'f32' }).out!.data;
    expect(normwiseError(f32, expected)).toBeLessThan(1e-6);
  });

  it('runs on the device within the f32 budget (1e-5 normwise)', async () => {
    const device = await getTestDevice();
    const program = await compile(graph(), { device, extensions: [pairwiseDistance] });
    try {
      expect(program.kernels.map((kernel) => kernel.label)).toEqual([
        'elementwise (mul)',
        'example.pairwiseSquaredDistance (12 features)',
      ]);
      const data = { x: Float32Array.from(inputs.x.data), y: Float32Array.from(inputs.y.data) };
      const actual = (await program.run(data, { poisonOutputs: true })).out!.data;
      expect(normwiseError(actual, dense(halved, inputs.y))).toBeLessThan(1e-5);
    } finally {
      program.destroy();
    }
  });

  it('serves every row count up to a symbolic dim maximum from one program', async () => {
    const rows = symbolicDim('rows', { max: 32 });
    const program = await compile(
      makeGraph({ out: pairwiseSquaredDistance(input('x', [rows, D]), input('y', [M, D])) }),
      {
        device: await getTestDevice(),
        extensions: [pairwiseDistance],
      },
    );
    try {
      for (const count of [N, 1, 32]) {
        const x = randomTensor([count, D], { seed: 30 + count });
        const data = { x: Float32Array.from(x.data), y: Float32Array.from(inputs.y.data) };
        const actual = (await program.run(data, { dims: { rows: count }, poisonOutputs: true })).out!.data;
        const expected = new Float64Array(count * M);
        for (let i = 0; i < count; i++)
          for (let j = 0; j < M; j++)
            for (let d = 0; d < D; d++)
              expected[i * M + j]! += (x.data[i * D + d]! - inputs.y.data[j * D + d]!) ** 2;
        expect(normwiseError(actual, expected)).toBeLessThan(1e-5);
      }
    } finally {
      program.destroy();
    }
  });

  it('compiles only with its extension, and loads from JSON only with it', async () => {
    await expect(compile(graph(), { device: await getTestDevice() })).rejects.toThrow(
      /example\.pairwiseSquaredDistance/,
    );
    const saved = graphToJSON(graph());
    expect(() => graphFromJSON(saved)).toThrow(GraphError);
    const loaded = graphFromJSON(saved, { extensions: [pairwiseDistance] });
    expect(normwiseError(interpret(loaded, { inputs }).out!.data, dense(halved, inputs.y))).toBeLessThan(
      1e-14,
    );
  });

  it('names the tensor and dim of a bad operand', () => {
    expect(() => pairwiseSquaredDistance(input('x', [N, D]), input('y', [M, D + 1]))).toThrow(ShapeError);
    expect(() => pairwiseSquaredDistance(input('x', [N, D]), input('y', [M, D + 1]))).toThrow(
      /same static feature count/,
    );
  });
});
