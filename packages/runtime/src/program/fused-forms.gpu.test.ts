import {
  add,
  FUSE_EVERY_PROLOGUE,
  gelu,
  input,
  makeGraph,
  matmul,
  mean,
  mul,
  type Node,
  param,
  permute,
  reshape,
  rsqrt,
  slice,
  sub,
  symbolicDim,
  tanh,
  transpose,
} from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { afterAll, describe, expect, it } from 'vitest';
import { layerNorm, rmsNorm, softmax } from '../../test/primitive-graphs.js';
import { expectMatchesReference, getTestDevice } from '../testing/index.js';

// f32 kernels against the float64 reference. Row statistics and matmuls sum K terms of size O(1):
// their absolute error grows like √K·2^-24 per output (≈1e-6 at K = 300), and outputs near zero
// make a relative bound alone meaningless, so the absolute tolerance is 1e-5.
const F32 = { rtol: 1e-5, atol: 1e-5 };
// These tests pin the fused forms themselves: recomputing a prologue is made free, so the cost
// model fuses it on every adapter (on a software one it would give a large prologue a kernel of
// its own; `fusion-costs.gpu.test.ts` checks that form).
const FUSED_FORM = { ...F32, fusionCosts: FUSE_EVERY_PROLOGUE };

const errors: Record<string, number> = {};
afterAll(() => {
  console.log(`worst relative error per fused form: ${JSON.stringify(errors)}`);
});
function record(form: string, error: number): void {
  errors[form] = Math.max(errors[form] ?? 0, error);
}

// [batch, M, K, N]: sizes that do not divide the 32×32 tile, rows of length 1, K up to 300.
const SIZES = [
  [1, 8, 64, 32],
  [1, 33, 1, 17],
  [2, 37, 129, 40],
  [1, 5, 300, 7],
] as const;

describe('norm → matmul: the matmul kernel computes the row statistics in its prologue', () => {
  it.each(SIZES)('LayerNorm → matmul, batch %i, M=%i, K=%i, N=%i', async (batch, m, k, n) => {
    const { device } = await getTestDevice();
    const x = input('x', [batch, m, k]);
    const graph = makeGraph({
      y: matmul(layerNorm(x, param('gamma', [k]), param('beta', [k])), param('w', [k, n])),
    });
    const result = await expectMatchesReference(graph, device, {
      inputs: { x: randomTensor([batch, m, k], { seed: m + k }) },
      params: {
        gamma: randomTensor([k], { seed: 1 }),
        beta: randomTensor([k], { seed: 2 }),
        w: randomTensor([k, n], { seed: 3 }),
      },
      ...FUSED_FORM,
      label: `layernorm→matmul ${batch}x${m}x${k}x${n}`,
    });
    expect(result.program.stats.kernels).toBe(1);
    record('layernorm→matmul', result.worstRelativeError);
    result.program.destroy();
  });

  it.each(SIZES)('RMSNorm → matmul, batch %i, M=%i, K=%i, N=%i', async (batch, m, k, n) => {
    const { device } = await getTestDevice();
    const x = input('x', [batch, m, k]);
    const graph = makeGraph({ y: matmul(rmsNorm(x, param('gain', [k])), param('w', [k, n])) });
    const result = await expectMatchesReference(graph, device, {
      inputs: { x: randomTensor([batch, m, k], { seed: 7 * m + k }) },
      params: { gain: randomTensor([k], { seed: 4 }), w: randomTensor([k, n], { seed: 5 }) },
      ...FUSED_FORM,
      label: `rmsnorm→matmul ${batch}x${m}x${k}x${n}`,
    });
    expect(result.program.stats.kernels).toBe(1);
    record('rmsnorm→matmul', result.worstRelativeError);
    result.program.destroy();
  });

  it.each(SIZES)(
    'residual + LayerNorm → matmul + GELU writing the sum, batch %i, M=%i, K=%i, N=%i',
    async (batch, m, k, n) => {
      const { device } = await getTestDevice();
      const hidden = add(input('x', [batch, m, k]), input('residual', [batch, m, k]));
      const normalized = layerNorm(hidden, param('gamma', [k]), param('beta', [k]));
      const graph = makeGraph({ hidden, y: gelu(matmul(normalized, param('w', [k, n]))) });
      const result = await expectMatchesReference(graph, device, {
        inputs: {
          x: randomTensor([batch, m, k], { seed: 11 * m + k }),
          residual: randomTensor([batch, m, k], { seed: 13 * m + k }),
        },
        params: {
          gamma: randomTensor([k], { seed: 6 }),
          beta: randomTensor([k], { seed: 7 }),
          w: randomTensor([k, n], { seed: 8 }),
        },
        ...FUSED_FORM,
        label: `residual+layernorm→matmul ${batch}x${m}x${k}x${n}`,
      });
      expect(result.program.stats.kernels).toBe(1);
      record('residual+layernorm→matmul', result.worstRelativeError);
      result.program.destroy();
    },
  );

  it.each(SIZES)('softmax → matmul, batch %i, M=%i, K=%i, N=%i', async (batch, m, k, n) => {
    const { device } = await getTestDevice();
    const graph = makeGraph({ y: matmul(softmax(input('x', [batch, m, k])), param('v', [k, n])) });
    const result = await expectMatchesReference(graph, device, {
      inputs: { x: randomTensor([batch, m, k], { seed: 17 * m + k }) },
      params: { v: randomTensor([k, n], { seed: 9 }) },
      ...FUSED_FORM,
      label: `softmax→matmul ${batch}x${m}x${k}x${n}`,
    });
    expect(result.program.stats.kernels).toBe(1);
    record('softmax→matmul', result.worstRelativeError);
    result.program.destroy();
  });
});

describe('movement in a matmul epilogue: outputs stored at their permuted place', () => {
  it.each([
    [5, 3, 4],
    [33, 2, 7],
    [40, 4, 16],
  ] as const)('split heads: N=%i, H=%i, D=%i', async (tokens, heads, headSize) => {
    const { device } = await getTestDevice();
    const channels = heads * headSize;
    const x = input('x', [tokens, channels]);
    const projected = add(matmul(x, param('w', [channels, channels])), param('b', [channels]));
    const split = permute(reshape(projected, [tokens, heads, headSize]), [1, 0, 2]);
    const graph = makeGraph({ q: mul(split, 0.25) });
    const result = await expectMatchesReference(graph, device, {
      inputs: { x: randomTensor([tokens, channels], { seed: tokens }) },
      params: {
        w: randomTensor([channels, channels], { seed: 21 }),
        b: randomTensor([channels], { seed: 22 }),
      },
      ...FUSED_FORM,
      label: `split heads ${tokens}x${heads}x${headSize}`,
    });
    expect(result.program.stats.kernels).toBe(1);
    record('matmul→permuted store', result.worstRelativeError);
    result.program.destroy();
  });

  it('split heads over a symbolic sequence length, after a LayerNorm prologue', async () => {
    const { device } = await getTestDevice();
    const seq = symbolicDim('seq', { max: 40 });
    const x = input('x', [seq, 24]);
    const normalized = layerNorm(x, param('gamma', [24]), param('beta', [24]));
    const split = permute(reshape(matmul(normalized, param('w', [24, 24])), [seq, 3, 8]), [1, 0, 2]);
    const graph = makeGraph({ q: split });
    const params = {
      gamma: randomTensor([24], { seed: 31 }),
      beta: randomTensor([24], { seed: 32 }),
      w: randomTensor([24, 24], { seed: 33 }),
    };
    let program: Awaited<ReturnType<typeof expectMatchesReference>>['program'] | undefined;
    for (const length of [1, 17, 40]) {
      const result = await expectMatchesReference(graph, device, {
        inputs: { x: randomTensor([length, 24], { seed: length }) },
        params,
        dims: { seq: length },
        ...FUSED_FORM,
        label: `layernorm→matmul→split heads seq=${length}`,
        ...(program === undefined ? {} : { program }),
      });
      program = result.program;
      expect(program.stats.kernels).toBe(1);
      record('matmul→permuted store', result.worstRelativeError);
    }
    program?.destroy();
  });
});

describe('row kernels: reshaped rows, several statistics, rows never crossed', () => {
  function standardize(x: Node, axes: number[]): Node {
    const centered = sub(x, mean(x, axes, { keepDims: true }));
    const variance = mean(mul(centered, centered), axes, { keepDims: true });
    return mul(centered, rsqrt(add(variance, 1e-5)));
  }

  it('GroupNorm-style fold of the groups back into channels is one row kernel', async () => {
    const { device } = await getTestDevice();
    const image = input('image', [2, 6, 5, 3]);
    const folded = reshape(standardize(reshape(image, [2, 3, 2, 5, 3]), [2, 3, 4]), [2, 6, 5, 3]);
    const graph = makeGraph({ y: add(folded, reshape(param('beta', [6]), [6, 1, 1])) });
    const result = await expectMatchesReference(graph, device, {
      inputs: { image: randomTensor([2, 6, 5, 3], { seed: 41 }) },
      params: { beta: randomTensor([6], { seed: 42 }) },
      ...FUSED_FORM,
      label: 'group fold',
    });
    expect(result.program.stats.kernels).toBe(1);
    record('row reshape', result.worstRelativeError);
    result.program.destroy();
  });

  it('instance and layer statistics: two row kernels, the first writing two per-row values', async () => {
    const { device } = await getTestDevice();
    const image = input('image', [2, 4, 3, 5]);
    const graph = makeGraph({
      y: add(mul(standardize(image, [2, 3]), 0.25), mul(standardize(image, [1, 2, 3]), 0.75)),
    });
    const result = await expectMatchesReference(graph, device, {
      inputs: { image: randomTensor([2, 4, 3, 5], { seed: 43 }) },
      ...FUSED_FORM,
      label: 'instance + layer',
    });
    expect(result.program.stats.kernels).toBe(2);
    record('merged row kernels', result.worstRelativeError);
    result.program.destroy();
  });

  it('a transposed softmax of a square matrix reads each row its own statistics', async () => {
    const { device } = await getTestDevice();
    const square = input('square', [17, 17]);
    const graph = makeGraph({ y: transpose(softmax(square)) });
    const result = await expectMatchesReference(graph, device, {
      inputs: { square: randomTensor([17, 17], { seed: 44 }) },
      ...FUSED_FORM,
      label: 'transposed softmax',
    });
    expect(result.program.stats.kernels).toBe(2);
    record('row guard', result.worstRelativeError);
    result.program.destroy();
  });
});

describe('conditioning matmul chunks: slices stored by the matmul epilogue', () => {
  it('a strided slice of a matmul is stored inside its window only', async () => {
    const { device } = await getTestDevice();
    const x = input('x', [37, 20]);
    const graph = makeGraph({ y: tanh(slice(matmul(x, param('w', [20, 45])), [3, 1], [36, 44], [2, 3])) });
    const result = await expectMatchesReference(graph, device, {
      inputs: { x: randomTensor([37, 20], { seed: 51 }) },
      params: { w: randomTensor([20, 45], { seed: 52 }) },
      ...FUSED_FORM,
      label: 'strided slice epilogue',
    });
    expect(result.program.stats.kernels).toBe(1);
    record('matmul→slice store', result.worstRelativeError);
    result.program.destroy();
  });

  it('adaLN-Zero form: shift/scale for the norm kernel and the gate written by the matmul kernel', async () => {
    const { device } = await getTestDevice();
    const [batch, tokens, width] = [3, 7, 24];
    const condition = input('condition', [batch, 10]);
    const chunks = add(matmul(condition, param('wc', [10, 3 * width])), param('bc', [3 * width]));
    const view = (chunk: number) =>
      reshape(slice(chunks, [0, chunk * width], [batch, (chunk + 1) * width]), [batch, 1, width]);
    const x = input('x', [batch, tokens, width]);
    const centered = sub(x, mean(x, -1, { keepDims: true }));
    const normalized = mul(centered, rsqrt(add(mean(mul(centered, centered), -1, { keepDims: true }), 1e-6)));
    const graph = makeGraph({ modulated: add(mul(normalized, add(view(1), 1)), view(0)), gate: view(2) });
    const result = await expectMatchesReference(graph, device, {
      inputs: {
        condition: randomTensor([batch, 10], { seed: 53 }),
        x: randomTensor([batch, tokens, width], { seed: 54 }),
      },
      params: {
        wc: randomTensor([10, 3 * width], { seed: 55 }),
        bc: randomTensor([3 * width], { seed: 56 }),
      },
      ...FUSED_FORM,
      label: 'adaLN-Zero form',
    });
    expect(result.program.stats.kernels).toBe(2);
    record('matmul→slice store', result.worstRelativeError);
    result.program.destroy();
  });
});

describe('pre-norm fused QKV projection: one kernel', () => {
  it.each([
    [13, 4, 8],
    [40, 2, 12],
  ] as const)(
    'LayerNorm → [q|k|v] matmul → three head-split outputs, N=%i, H=%i, D=%i',
    async (tokens, heads, headSize) => {
      const { device } = await getTestDevice();
      const width = heads * headSize;
      const x = input('x', [1, tokens, width]);
      const normalized = layerNorm(x, param('gamma', [width]), param('beta', [width]));
      const qkv = add(matmul(normalized, param('wqkv', [width, 3 * width])), param('bqkv', [3 * width]));
      const split = (index: number) =>
        permute(
          reshape(slice(qkv, [0, 0, index * width], [1, tokens, (index + 1) * width]), [
            1,
            tokens,
            heads,
            headSize,
          ]),
          [0, 2, 1, 3],
        );
      const graph = makeGraph({ q: split(0), k: split(1), v: split(2) });
      const result = await expectMatchesReference(graph, device, {
        inputs: { x: randomTensor([1, tokens, width], { seed: tokens }) },
        params: {
          gamma: randomTensor([width], { seed: 61 }),
          beta: randomTensor([width], { seed: 62 }),
          wqkv: randomTensor([width, 3 * width], { seed: 63 }),
          bqkv: randomTensor([3 * width], { seed: 64 }),
        },
        ...FUSED_FORM,
        label: `fused qkv ${tokens}x${heads}x${headSize}`,
      });
      expect(result.program.stats.kernels).toBe(1);
      record('layernorm→qkv matmul→slice+permute stores', result.worstRelativeError);
      result.program.destroy();
    },
  );
});
