import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Head dims set independently of the model dim (removing the low-rank bottleneck of d/h-sized heads).
 *
 * Catalog paper 40: Low-Rank Bottleneck in Multi-head Attention Models (Bhojanapalli et al., ICML
 * 2020).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 2, headDim: 24, valueDim: 12 });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const lowRankBottleneckHeadDimsEntry = attentionZooEntry({
  id: 'low-rank-bottleneck-head-dims',
  mechanism: 'low-rank-bottleneck-head-dims',
  paper: {
    id: 40,
    title: 'Low-Rank Bottleneck in Multi-head Attention Models (Bhojanapalli et al., ICML 2020)',
    group: 'G1',
  },
  description: 'Attention with 2 heads of query/key dim 24 and value dim 12 over 24 positions.',
  tolerance: DEFAULT_TOLERANCE,
});
