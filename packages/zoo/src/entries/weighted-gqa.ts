import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Weighted grouped-query attention: query head h reads K_h = Σ_j w[h, j]·K_j and V_h = Σ_j w[h, j]·V_j
 * with learned weights `weighted-gqa.kvWeights` `[heads, kvHeads]`, mixed in the kernel's K/V loads.
 *
 * Catalog paper 47: WGQA — Weighted Grouped-Query Attention.
 *
 * @example
 * ```ts
 * const spec = attention({
 *   name: 'weighted-gqa',
 *   heads: weightedGqa({ heads: 4, kvHeads: 2, weights: 'learned' }), // param weighted-gqa.kvWeights [4, 2]
 *   headDim: 16, mask: causal(),
 * });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const weightedGqaEntry = attentionZooEntry({
  id: 'weighted-gqa',
  mechanism: 'weighted-gqa',
  paper: { id: 47, title: 'WGQA — Weighted Grouped-Query Attention', group: 'G1' },
  description:
    'Causal attention, 4 query heads reading learned mixes of 2 key/value heads, 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
