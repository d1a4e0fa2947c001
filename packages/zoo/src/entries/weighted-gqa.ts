import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Grouped-query attention, the base of WGQA: query heads share key/value heads in groups (the learned
 * group weights fold into the key/value projections).
 *
 * Catalog paper 47: WGQA — Weighted Grouped-Query Attention.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, kvHeads: 2, headDim: 16, mask: causal() });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const weightedGqaEntry = attentionZooEntry({
  id: 'weighted-gqa',
  mechanism: 'weighted-gqa',
  paper: { id: 47, title: 'WGQA — Weighted Grouped-Query Attention', group: 'G1' },
  description: 'Causal grouped-query attention, 4 query heads over 2 key/value heads, 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
