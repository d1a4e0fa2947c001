import { input, makeGraph, matmul, type Node, param, permute, reshape, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { keyLifetime } from '../masks/key-lifetime.js';
import { natsKeyLifetimes } from '../masks/nats-key-lifetimes.js';
import { attention } from '../spec/attention-spec.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/**
 * NAtS's instance: 2 heads × 128 positions × dim 16, token features of 8 (the last a constant 1,
 * so the type projection carries a bias), SlidingWindow span w = 4.
 */
export const NATS_SHAPE = { heads: 2, headDim: 16, length: 128, features: 8, window: 4 } as const;

/**
 * Per-head type biases (Global, Local, SlidingWindow) in the bias row of W_type: Global and Local tokens
 * rarer than SlidingWindow ones, as in trained NAtS models, so whole key tiles expire and the kernel skips them.
 */
export const NATS_TYPE_BIAS = [-1.2, -0.6, 0.6] as const;

/** Token features x `[1, length, features]`: seeded, the last feature 1. */
export function natsFeatures(seed: number): Float32Array {
  const { length, features } = NATS_SHAPE;
  return seeded(length * features, seed).map((value, i) => (i % features === features - 1 ? 1 : value));
}

/** W_type `[features, heads · 3]`: seeded, its last row the type biases of every head. */
export function natsTypeWeight(seed: number): Float32Array {
  const { heads, features } = NATS_SHAPE;
  const columns = heads * 3;
  return seeded(features * columns, seed).map((value, i) =>
    Math.floor(i / columns) === features - 1 ? NATS_TYPE_BIAS[i % 3]! : value,
  );
}

/** z_j = W_type x_j per head: `[1, length, features]` → `[1, heads, length, 3]`. */
export function natsTypeLogits(features: Node, typeWeight: Node): Node {
  const { heads, length } = NATS_SHAPE;
  return permute(reshape(matmul(features, typeWeight), [1, length, heads, 3]), [0, 2, 1, 3]);
}

/**
 * Neural Attention Search (catalog #11) at small sizes: per head and token a type argmax of
 * W_type x_j (Global, Local, SlidingWindow), the lifetimes from a reverse cumulative min over the
 * Global positions (graph ops on the device), and causal softmax attention over the pairs the
 * lifetimes keep; the kernel skips the 32-key tiles whose keys all expired.
 */
export const natsCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'nats',
  paper: 11,
  build() {
    const { heads, headDim, length, features, window } = NATS_SHAPE;
    const [query, key, value] = qkvInputs([1, heads, length, headDim]);
    const typeLogits = natsTypeLogits(
      input('x', [1, length, features]),
      param('typeWeight', [features, heads * 3]),
    );
    const lastQuery = tensorRef('lastQuery', [1, heads, length], 'i32');
    const mask = and(causal(), keyLifetime(lastQuery, { skipEmptyTiles: true }));
    const { output } = applyAttention(attention({ name: 'nats', heads, headDim, mask }), {
      query,
      key,
      value,
      tensors: { lastQuery: natsKeyLifetimes(typeLogits, { window }) },
    });
    const count = heads * length * headDim;
    return {
      graph: makeGraph({ output }),
      params: { typeWeight: natsTypeWeight(31) },
      inputs: { q: seeded(count, 32), k: seeded(count, 33), v: seeded(count, 34), x: natsFeatures(35) },
      dims: {},
    };
  },
};
