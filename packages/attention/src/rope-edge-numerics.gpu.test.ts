import { input, interpret, makeGraph, type Tensor64 } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { runKernels } from '../test/run-kernels.js';
import {
  type AttentionSpec,
  and,
  applyAttention,
  attention,
  causal,
  identity,
  type QkTransformPlacement,
  rope,
  slidingWindow,
} from './index.js';

const errors: Record<string, number> = {};

interface Sizes {
  readonly queries: number;
  readonly keys: number;
  readonly headDim: number;
  readonly valueDim: number;
}

function graphAt(spec: AttentionSpec, sizes: Sizes, placement: QkTransformPlacement) {
  const { output } = applyAttention(
    spec,
    {
      query: input('q', [1, 2, sizes.queries, sizes.headDim]),
      key: input('k', [1, 2, sizes.keys, sizes.headDim]),
      value: input('v', [1, 2, sizes.keys, sizes.valueDim]),
    },
    { qkTransforms: placement },
  );
  return makeGraph({ output });
}

/** Both placements on the GPU (NaN-poisoned outputs) vs the attention op's float64 evaluator. */
async function check(label: string, spec: AttentionSpec, sizes: Sizes, value: Tensor64, tolerance: number) {
  const values: Record<string, Tensor64> = {
    q: randomTensor([1, 2, sizes.queries, sizes.headDim], { seed: 91 }),
    k: randomTensor([1, 2, sizes.keys, sizes.headDim], { seed: 92 }),
    v: value,
  };
  const reference = interpret(graphAt(spec, sizes, 'inKernel'), { inputs: values }).output!;
  const { device } = await getTestDevice();
  const raw = Object.fromEntries(Object.entries(values).map(([name, tensor]) => [name, tensor.data]));
  for (const placement of ['beforeKernel', 'inKernel'] as const) {
    const { outputs } = await runKernels(device, graphAt(spec, sizes, placement), raw, {});
    const actual = outputs.output!;
    expect(Array.from(actual).some(Number.isNaN), `${label} ${placement} has NaN`).toBe(false);
    const error = relativeError(actual, reference);
    errors[`${label} ${placement}`] = error;
    expect(error, `${label} ${placement}`).toBeLessThan(tolerance);
  }
}

describe('RoPE at the edges on the GPU vs the float64 reference', () => {
  afterAll(() => {
    console.log('RoPE edge errors:', errors);
  });

  it('positions 8188..8191: raw scores (identity normalizer, one-hot values) within 1e-5', async () => {
    // Each of the 4 queries sees the 4 keys of its window; value k is the one-hot e_(k mod 4), so
    // the output row holds the 4 scores, which carry the RoPE angles at positions near 8191.
    const sizes = { queries: 4, keys: 8192, headDim: 64, valueDim: 4 };
    const spec = attention({
      heads: 2,
      headDim: sizes.headDim,
      valueDim: sizes.valueDim,
      positions: rope(),
      mask: and(causal(), slidingWindow(4)),
      normalizer: identity({ outputNorm: 'none' }),
      name: 'far',
    });
    const value = new Float64Array(2 * sizes.keys * sizes.valueDim);
    for (let h = 0; h < 2; h++)
      for (let k = 0; k < sizes.keys; k++) value[(h * sizes.keys + k) * sizes.valueDim + (k % 4)] = 1;
    await check(
      '1-D p≈8191',
      spec,
      sizes,
      { shape: [1, 2, sizes.keys, sizes.valueDim], dtype: 'f32', data: value },
      1e-5,
    );
  });

  it('2-D RoPE with more queries than keys: negative grid positions use floor', async () => {
    // 24 queries on a 4×4 grid of 16 keys: queries 0..7 sit at positions −8..−1, rows −2 and −1.
    const sizes = { queries: 24, keys: 16, headDim: 16, valueDim: 8 };
    const spec = attention({
      heads: 2,
      headDim: sizes.headDim,
      valueDim: sizes.valueDim,
      positions: rope({ dims: 2, grid: [4, 4] }),
      name: 'grid',
    });
    await check(
      '2-D negative positions',
      spec,
      sizes,
      randomTensor([1, 2, sizes.keys, sizes.valueDim], { seed: 93 }),
      1e-5,
    );
  });
});
