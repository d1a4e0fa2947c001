import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Adaptive sparse attention: α-entmax with a learned α per head.
 *
 * Catalog paper 2: Adaptive Sparse and Monotonic Attention for Transformer ASR (Zhao et al., DSAA
 * 2022).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, normalizer: entmax({ alpha: tensorRef('entmax.alpha', [4]) }) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const adaptiveSparseEntmaxEntry = attentionZooEntry({
  id: 'adaptive-sparse-entmax',
  mechanism: 'adaptive-sparse-entmax',
  paper: {
    id: 2,
    title: 'Adaptive Sparse and Monotonic Attention for Transformer ASR (Zhao et al., DSAA 2022)',
    group: 'G2',
  },
  description: 'α-entmax attention with α = 1.2, 1.5, 1.8 and 2 for the 4 heads, 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
