import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Multi-query attention: every query head shares one key/value head.
 *
 * Catalog paper 54: MQA — Fast Transformer Decoding: One Write-Head is All You Need.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, kvHeads: 1, headDim: 16, mask: causal() });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const multiQueryAttentionEntry = attentionZooEntry({
  id: 'multi-query-attention',
  mechanism: 'multi-query-attention',
  paper: { id: 54, title: 'MQA — Fast Transformer Decoding: One Write-Head is All You Need', group: 'G1' },
  description: 'Causal multi-query attention, 4 query heads over 1 key/value head, 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
