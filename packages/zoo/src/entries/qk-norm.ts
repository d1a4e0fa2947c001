import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * QKNorm attention: ℓ₂-normalized queries and keys, scores scaled by a learned gain instead of 1/√d.
 *
 * Catalog paper 12: Query-Key Normalization — QKNorm (Henry et al. 2020).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, score: [scale(tensorRef('qkNorm.gain', [1]))] });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const qkNormEntry = attentionZooEntry({
  id: 'qk-norm',
  mechanism: 'qk-norm',
  paper: { id: 12, title: 'Query-Key Normalization — QKNorm (Henry et al. 2020)', group: 'G1' },
  description:
    'Attention over ℓ₂-normalized queries and keys, 4 heads × 24 positions × dim 16, gain initialized to log₂(n² − n).',
  tolerance: DEFAULT_TOLERANCE,
});
