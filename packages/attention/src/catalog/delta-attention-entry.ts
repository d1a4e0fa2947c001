import { makeGraph } from '@weft/ir';
import { deltaAttention } from '../compose/delta-attention.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/** Δ Attention's instance: 2 heads × 256 positions × dim 16, 8 sink tokens, window 48, γ = 16. */
export const DELTA_ATTENTION_SHAPE = {
  heads: 2,
  length: 256,
  dim: 16,
  sink: 8,
  window: 48,
  gamma: 16,
} as const;

/**
 * Δ Attention (catalog #65) at small sizes: causal sink + sliding-window attention for every query,
 * dense causal attention for the first query of each block of 16, and their difference added to the
 * block's 16 sparse outputs. Outputs `output` and `sparse` (Δ as an output of its own would cost
 * one more kernel).
 */
export const deltaAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'delta-attention',
  paper: 65,
  build() {
    const { heads, length, dim, sink, window, gamma } = DELTA_ATTENTION_SHAPE;
    const [query, key, value] = qkvInputs([1, heads, length, dim]);
    const { output, sparse } = deltaAttention({ query, key, value }, { gamma, window, sink });
    const count = heads * length * dim;
    return {
      graph: makeGraph({ output, sparse }),
      params: {},
      inputs: { q: seeded(count, 71), k: seeded(count, 72), v: seeded(count, 73) },
      dims: {},
    };
  },
};
