import {
  add,
  concat,
  cumsum,
  exp,
  gather,
  gelu,
  input,
  makeGraph,
  matmul,
  mul,
  pad,
  param,
  slice,
  sub,
  sum,
  symbolicDim,
  tanh,
  transpose,
} from '@weft/ir';
import { randomIndices, randomTensor } from '@weft/ir/test';
import { afterAll, describe, expect, it } from 'vitest';
import { layerNorm, softmax } from '../../test/primitive-graphs.js';
import { expectMatchesReference, getTestDevice } from '../testing/index.js';

// f32 kernels against the float64 reference: elementwise work rounds once per op (≈1e-7 each);
// reductions and matmuls over K terms accumulate about K·2^-24 relative error, so 1e-5 covers
// the sizes used here (K ≤ 67).
const F32 = { rtol: 1e-5, atol: 1e-6 };

const errors: Record<string, number> = {};
afterAll(() => {
  console.log(`worst relative error per template: ${JSON.stringify(errors)}`);
});
function record(template: string, error: number): void {
  errors[template] = Math.max(errors[template] ?? 0, error);
}

describe('compile + run on a real WebGPU device vs the float64 reference', () => {
  it('elementwise chains over broadcast shapes (fused into one kernel)', async () => {
    const { device } = await getTestDevice();
    for (const [rows, cols] of [
      [1, 1],
      [7, 13],
      [31, 65],
    ] as const) {
      const a = input('a', [rows, cols]);
      const b = input('b', [1, cols]);
      const c = input('c', [rows, 1]);
      const graph = makeGraph({ y: tanh(mul(add(a, b), exp(sub(c, 0.5)))) });
      const result = await expectMatchesReference(graph, device, {
        inputs: {
          a: randomTensor([rows, cols], { seed: 1 }),
          b: randomTensor([1, cols], { seed: 2 }),
          c: randomTensor([rows, 1], { seed: 3 }),
        },
        ...F32,
        label: `elementwise ${rows}x${cols}`,
      });
      expect(result.program.stats.kernels).toBe(1);
      record('elementwise', result.worstRelativeError);
      result.program.destroy();
    }
  });

  it('softmax and LayerNorm rows (one row kernel each), rows of length 1, odd and prime', async () => {
    const { device } = await getTestDevice();
    for (const [rows, cols] of [
      [3, 1],
      [5, 17],
      [4, 257],
    ] as const) {
      const x = input('x', [rows, cols]);
      const gamma = param('gamma', [cols]);
      const beta = param('beta', [cols]);
      for (const [name, output] of [
        ['softmax', softmax(x)],
        ['layernorm', layerNorm(x, gamma, beta)],
      ] as const) {
        const graph = makeGraph({ y: output });
        const result = await expectMatchesReference(graph, device, {
          inputs: { x: randomTensor([rows, cols], { seed: rows * cols }) },
          params:
            name === 'layernorm'
              ? { gamma: randomTensor([cols], { seed: 9 }), beta: randomTensor([cols], { seed: 10 }) }
              : {},
          ...F32,
          label: `${name} ${rows}x${cols}`,
        });
        expect(result.program.stats.kernels).toBe(1);
        record('row', result.worstRelativeError);
        result.program.destroy();
      }
    }
  });

  it('matmul with a bias + GELU epilogue at sizes that do not divide the tile', async () => {
    const { device } = await getTestDevice();
    for (const [m, k, n] of [
      [1, 1, 1],
      [7, 13, 5],
      [33, 67, 17],
    ] as const) {
      const a = input('a', [2, m, k]);
      const w = param('w', [k, n]);
      const bias = param('bias', [n]);
      const graph = makeGraph({ y: gelu(add(matmul(a, w), bias)) });
      const result = await expectMatchesReference(graph, device, {
        inputs: { a: randomTensor([2, m, k], { seed: m }) },
        params: { w: randomTensor([k, n], { seed: k }), bias: randomTensor([n], { seed: n }) },
        ...F32,
        label: `matmul ${m}x${k}x${n}`,
      });
      expect(result.program.stats.kernels).toBe(1);
      record('matmul', result.worstRelativeError);
      result.program.destroy();
    }
  });

  it('matmul with transposed operands', async () => {
    const { device } = await getTestDevice();
    const a = input('a', [9, 6]);
    const b = input('b', [11, 9]);
    const graph = makeGraph({ y: matmul(a, b, { transposeA: true, transposeB: true }) });
    const result = await expectMatchesReference(graph, device, {
      inputs: { a: randomTensor([9, 6], { seed: 4 }), b: randomTensor([11, 9], { seed: 5 }) },
      ...F32,
      label: 'matmul transposed',
    });
    record('matmul', result.worstRelativeError);
    result.program.destroy();
  });

  it('reductions over leading axes, movement ops, gather and scan', async () => {
    const { device } = await getTestDevice();
    const x = input('x', [5, 6, 7]);
    const table = param('table', [10, 4]);
    const ids = input('ids', [3], 'i32');
    const graph = makeGraph({
      leading: sum(x, [0, 1]),
      moved: concat(
        [
          slice(transpose(x, [2, 0, 1]), [1, 0, 0], [6, 5, 6]),
          pad(slice(x, [0, 0, 0], [5, 5, 5]), [0, 0, 1], [0, 0, 0], 0.25),
        ],
        0,
      ),
      embedded: gather(table, ids),
      scanned: cumsum(x, -1),
    });
    const result = await expectMatchesReference(graph, device, {
      inputs: { x: randomTensor([5, 6, 7], { seed: 21 }), ids: randomIndices([3], 10, 22) },
      params: { table: randomTensor([10, 4], { seed: 23 }) },
      ...F32,
      label: 'movement/reduce/gather/scan',
    });
    record('mixed', result.worstRelativeError);
    result.program.destroy();
  });

  it('one compiled program serves several sequence lengths', async () => {
    const { device } = await getTestDevice();
    const seq = symbolicDim('seq', { max: 40 });
    const x = input('x', [seq, 24]);
    const w = param('w', [24, 8]);
    const graph = makeGraph({ y: softmax(matmul(x, w)), rowSum: sum(x, -1) });
    const w0 = randomTensor([24, 8], { seed: 31 });
    let program: Awaited<ReturnType<typeof expectMatchesReference>>['program'] | undefined;
    for (const length of [1, 7, 40, 13]) {
      const result = await expectMatchesReference(graph, device, {
        inputs: { x: randomTensor([length, 24], { seed: length }) },
        params: { w: w0 },
        dims: { seq: length },
        ...F32,
        label: `seq=${length}`,
        ...(program === undefined ? {} : { program }),
      });
      program = result.program;
      record('symbolic', result.worstRelativeError);
    }
    program?.destroy();
  });

  it('the unfused baseline computes the same values with more kernels', async () => {
    const { device } = await getTestDevice();
    const x = input('x', [6, 10]);
    const gamma = param('gamma', [10]);
    const beta = param('beta', [10]);
    const graph = makeGraph({ y: layerNorm(x, gamma, beta) });
    const options = {
      inputs: { x: randomTensor([6, 10], { seed: 41 }) },
      params: { gamma: randomTensor([10], { seed: 42 }), beta: randomTensor([10], { seed: 43 }) },
      ...F32,
    };
    const fused = await expectMatchesReference(graph, device, { ...options, label: 'fused' });
    const unfused = await expectMatchesReference(graph, device, {
      ...options,
      fuse: false,
      label: 'unfused',
    });
    expect(unfused.program.stats.kernels).toBeGreaterThan(fused.program.stats.kernels);
    fused.program.destroy();
    unfused.program.destroy();
  });
});
