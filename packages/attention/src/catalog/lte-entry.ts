import { makeGraph, type Node, param, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { keyLifetime } from '../masks/key-lifetime.js';
import { type LteRouterWeights, lteKeyLifetimes, lteRouterLogits } from '../masks/lte-key-lifetimes.js';
import { attention } from '../spec/attention-spec.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/** LTE's instance: 2 KV heads × 128 positions × dim 16, window w = 16, 4 sinks. */
export const LTE_SHAPE = { heads: 2, headDim: 16, length: 128, window: 16, sinks: 4 } as const;

/**
 * The router's projection bias in the instance: below the paper's initial 0.5 (which keeps every
 * key at first), as a trained router that drops most keys outside the window.
 */
export const LTE_PROJECTION_BIAS = -0.5;

/** The router's parameter shapes `[name, weight shape, bias size]`, per KV head channels 2d → d → d/2 → d/4 → 1. */
export function lteRouterShapes(kvHeads: number, dim: number): [string, number[], number][] {
  return [
    ['conv1', [kvHeads * dim, 2 * dim, 3], kvHeads * dim],
    ['conv2', [(kvHeads * dim) / 2, dim, 3], (kvHeads * dim) / 2],
    ['conv3', [(kvHeads * dim) / 4, dim / 2, 3], (kvHeads * dim) / 4],
    ['projection', [kvHeads, dim / 4, 1], kvHeads],
  ];
}

/** Router parameters `lte.<layer>.weight|bias`: seeded, weights scaled by 2.4/√fan-in (Kaiming-normal variance for seeded values of rms ≈ 0.6). */
export function lteRouterParams(kvHeads: number, dim: number, seed: number): Record<string, Float32Array> {
  const params: Record<string, Float32Array> = {};
  lteRouterShapes(kvHeads, dim).forEach(([name, shape, biasSize], layer) => {
    const fanIn = shape[1]! * shape[2]!;
    const count = shape.reduce((a, b) => a * b, 1);
    params[`lte.${name}.weight`] = seeded(count, seed + 2 * layer).map((w) => (2.4 * w) / Math.sqrt(fanIn));
    params[`lte.${name}.bias`] =
      name === 'projection'
        ? new Float32Array(biasSize).fill(LTE_PROJECTION_BIAS)
        : seeded(biasSize, seed + 2 * layer + 1).map((b) => 0.1 * b);
  });
  return params;
}

/** The router's weights as graph params (names of {@link lteRouterParams}). */
export function lteRouterWeightNodes(kvHeads: number, dim: number): LteRouterWeights {
  const nodes: Record<string, { weight: Node; bias: Node }> = {};
  for (const [name, shape, biasSize] of lteRouterShapes(kvHeads, dim))
    nodes[name] = { weight: param(`lte.${name}.weight`, shape), bias: param(`lte.${name}.bias`, [biasSize]) };
  return nodes as unknown as LteRouterWeights;
}

/**
 * Learnable token eviction (catalog #82) at small sizes: the router's grouped convolutions over
 * concat(k, v) per KV head give c_j, a key is kept beyond the window when sigmoid(c_j) − 0.5 > 0
 * or it is one of the first 4, and causal softmax attention runs over the kept pairs
 * (i − j ≤ 16 or kept); the kernel skips 32-key tiles with no kept key past the window.
 */
export const lteCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'learnable-token-eviction',
  paper: 82,
  build() {
    const { heads, headDim, length, window, sinks } = LTE_SHAPE;
    const [query, key, value] = qkvInputs([1, heads, length, headDim]);
    const logits = lteRouterLogits(key, value, lteRouterWeightNodes(heads, headDim));
    const lastQuery = tensorRef('lastQuery', [1, heads, length], 'i32');
    const mask = and(causal(), keyLifetime(lastQuery, { skipEmptyTiles: true }));
    const { output } = applyAttention(attention({ name: 'lte', heads, headDim, mask }), {
      query,
      key,
      value,
      tensors: { lastQuery: lteKeyLifetimes(logits, { window, sinks }) },
    });
    const count = heads * length * headDim;
    return {
      graph: makeGraph({ output, logits }),
      params: lteRouterParams(heads, headDim, 51),
      inputs: { q: seeded(count, 52), k: seeded(count, 53), v: seeded(count, 54) },
      dims: {},
    };
  },
};
