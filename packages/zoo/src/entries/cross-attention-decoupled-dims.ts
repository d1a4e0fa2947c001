import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Cross-attention with the value head dim decoupled from the query/key head dim.
 *
 * Catalog paper 5: NViST — cross-attention decoder with adaptive LayerNorm (Jang & Agapito, CVPR
 * 2024).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, valueDim: 8 });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const crossAttentionDecoupledDimsEntry = attentionZooEntry({
  id: 'cross-attention-decoupled-dims',
  mechanism: 'cross-attention-decoupled-dims',
  paper: {
    id: 5,
    title: 'NViST — cross-attention decoder with adaptive LayerNorm (Jang & Agapito, CVPR 2024)',
    group: 'G1',
  },
  description: 'Cross-attention of 10 queries over 24 keys, 4 heads, query/key dim 16, value dim 8.',
  tolerance: DEFAULT_TOLERANCE,
});
