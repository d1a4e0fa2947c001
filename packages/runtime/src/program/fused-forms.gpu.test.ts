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
  rsqrt,
  sub,
  sum,
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
