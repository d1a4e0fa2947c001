import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Probabilistic attention's E-step: softmax over keys of α_j q_i·ζ_j − ½α_j‖ζ_j‖² − ½α_j‖q_i‖² + log π_j
 * with per-key precisions and priors, the squared norms computed by reductions before the op. The EM
 * key adaptation is not included.
 *
 * Catalog paper 76: Probabilistic Attention for Interactive Segmentation.
 *
 * @example
 * ```ts
 * const score = probabilisticAttentionScore({ precision, logPrior, queryNormSquared, keyNormSquared });
 * const { output } = applyAttention(attention({ heads: 4, headDim: 16, score }), { query, key, value, tensors });
 * ```
 */
export const probabilisticAttentionEntry = attentionZooEntry({
  id: 'probabilistic-attention',
  mechanism: 'probabilistic-attention',
  paper: { id: 76, title: 'Probabilistic Attention for Interactive Segmentation', group: 'G2' },
  description: 'GMM E-step scores with per-key precisions and log priors, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
