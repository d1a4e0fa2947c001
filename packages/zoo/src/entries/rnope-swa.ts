import { attentionZooEntry } from '../package-catalog-entry.js';
import { ROPE_TOLERANCE } from '../tolerances.js';

/**
 * RNoPE-SWA's RoPE layer: grouped-query attention with rotary positions under a causal sliding window.
 *
 * Catalog paper 24: Rope to Nope and Back Again — RNoPE-SWA (Yang et al., Cohere 2025).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, kvHeads: 2, headDim: 16, positions: rope(), mask: and(causal(), slidingWindow(8)) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const rnopeSwaEntry = attentionZooEntry({
  id: 'rnope-swa',
  mechanism: 'rnope-swa',
  paper: { id: 24, title: 'Rope to Nope and Back Again — RNoPE-SWA (Yang et al., Cohere 2025)', group: 'G1' },
  description:
    'Causal sliding-window (8 keys) attention with RoPE, 4 query heads sharing 2 key/value heads, 24 positions × dim 16.',
  tolerance: ROPE_TOLERANCE,
});
