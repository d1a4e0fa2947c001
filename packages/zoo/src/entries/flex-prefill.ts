import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * FlexPrefill's query-aware sparse pattern: per head, the last query block's attention picks the
 * vertical (column) and slash (diagonal) blocks covering γ of its mass; a head whose block-pooled
 * estimate of that attention is close to the truth (√JSD < τ) adds the block pairs covering γ of
 * every query block's block-pooled attention. The block table is built on the device by graph ops
 * (the per-head choice is a `where`, no host round trip); the attention kernel visits only the
 * selected key tiles.
 *
 * Catalog paper 105: FlexPrefill: A Context-Aware Sparse Attention Mechanism for Efficient
 * Long-Sequence Inference (Lai et al., ICLR 2025).
 *
 * @example
 * ```ts
 * const mask = and(causal(), flexPrefillSelection({ blockSize: 32, gamma: 0.7, tau: 0.1 }));
 * const { output } = applyAttention(attention({ heads: 4, headDim: 16, mask }), { query, key, value });
 * ```
 */
export const flexPrefillEntry = attentionZooEntry({
  id: 'flex-prefill',
  mechanism: 'flex-prefill',
  paper: {
    id: 105,
    title:
      'FlexPrefill: a context-aware sparse attention mechanism for long-sequence inference (Lai et al., ICLR 2025)',
    group: 'G6',
  },
  description:
    'FlexPrefill over 8 blocks of 32 (γ 0.7, τ 0.1: two heads query-aware, two vertical-slash), causal, 4 heads × 256 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
