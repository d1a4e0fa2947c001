import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Efficient Attention, softmax variant: E(Q, K, V) = ρ_q(Q)(ρ_k(K)ᵀV), ρ_q the softmax of each
 * query over its features, ρ_k the softmax of each key feature over the positions, no 1/√d; the
 * non-causal state form of linear attention (identity φ, no denominator).
 *
 * Catalog paper 111: Efficient Attention: Attention with Linear Complexities.
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: identity(), featureExpansion: efficientAttentionFeatures(), denominator: false,
 * });
 * ```
 */
export const efficientAttentionEntry = linearAttentionZooEntry({
  id: 'efficient-attention',
  mechanism: 'efficient-attention',
  paper: { id: 111, title: 'Efficient Attention: Attention with Linear Complexities', group: 'G4' },
  description:
    'Efficient Attention (softmax variant): queries softmaxed over features, keys over positions, ρ_q(Q)(ρ_k(K)ᵀV), non-causal state form, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
