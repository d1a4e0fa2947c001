import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * NAP: the scores of each row are standardized instead of softmaxed,
 * w_ij = g_h·(s_ij − μ_i)/σ_i + b_h (σ the population standard deviation plus 1e-3), with learned
 * per-head gain and offset and no 1/√d; weights may be negative. Also returns the row max.
 *
 * Catalog paper 8: Normalized Attention Without Probability Cage (Richter & Wattenhofer).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4, headDim: 16, score: scale(1),
 *   normalizer: nap({ gain: tensorRef('nap.gain', [4]), bias: tensorRef('nap.bias', [4]) }),
 * });
 * const { output } = applyAttention(spec, { query, key, value, tensors: { 'nap.gain': gain, 'nap.bias': bias } });
 * ```
 */
export const napStandardizedAttentionEntry = attentionZooEntry({
  id: 'nap-standardized-attention',
  mechanism: 'nap-standardized-attention',
  paper: {
    id: 8,
    title: 'Normalized Attention Without Probability Cage (Richter & Wattenhofer)',
    group: 'G2',
  },
  description:
    'NAP with learned per-head gain and offset and the row max output, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
