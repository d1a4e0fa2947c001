import {
  add,
  div,
  exp,
  gelu,
  input,
  makeGraph,
  matmul,
  max,
  mean,
  mul,
  type Node,
  param,
  permute,
  reshape,
  rsqrt,
  sub,
  sum,
  symbolicDim,
} from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { afterAll, describe, expect, it } from 'vitest';
import { expectMatchesReference, getTestDevice } from '../testing/index.js';

// f32 kernels against the float64 reference. Row statistics and matmuls sum K terms of size O(1):
// their absolute error grows like √K·2^-24 per output (≈1e-6 at K = 300), and outputs near zero
// make a relative bound alone meaningless, so the absolute tolerance is 1e-5.
const F32 = { rtol: 1e-5, atol: 1e-5 };

const errors: Record<string, number> = {};
afterAll(() => {
  console.log(`worst relative error per fused form: ${JSON.stringify(errors)}`);
});
function record(form: string, error: number): void {
  errors[form] = Math.max(errors[form] ?? 0, error);
}

function layerNorm(x: Node, gamma: Node, beta: Node): Node {
  const centered = sub(x, mean(x, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  return add(mul(mul(centered, rsqrt(add(variance, 1e-5))), gamma), beta);
}

function rmsNorm(x: Node, gain: Node): Node {
  return mul(mul(x, rsqrt(add(mean(mul(x, x), -1, { keepDims: true }), 1e-6))), gain);
}

function softmax(x: Node): Node {
  const e = exp(sub(x, max(x, -1, { keepDims: true })));
  return div(e, sum(e, -1, { keepDims: true }));
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
      ...F32,
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
      ...F32,
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
        ...F32,
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
      ...F32,
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
      params: { w: randomTensor([channels, channels], { seed: 21 }), b: randomTensor([channels], { seed: 22 }) },
      ...F32,
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
        ...F32,
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
