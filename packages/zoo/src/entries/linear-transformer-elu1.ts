import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Non-causal linear attention with φ = ELU + 1 and a denominator,
 * o_i = φ(q_i)ᵀ(Σ_j φ(k_j) v_jᵀ) / (φ(q_i)ᵀ Σ_j φ(k_j) + 1e-6), computed through the state
 * S = Σ φ(k_j) v_jᵀ in O(N·d²). The feature map is the linear transformer's (Katharopoulos et al.
 * 2020, "Transformers are RNNs", not a numbered catalog paper); the normalized form
 * D⁻¹ φ(Q)(φ(K)ᵀV) is the one the catalog gives for Performer's deterministic kernels.
 *
 * Catalog paper 78: Performer — FAVOR+ (linear attention with a denominator).
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: elu1() });
 * const { output } = applyLinearAttention(spec, { query, key, value });
 * ```
 */
export const linearTransformerElu1Entry = linearAttentionZooEntry({
  id: 'linear-transformer-elu1',
  mechanism: 'linear-transformer-elu1',
  paper: { id: 78, title: 'Performer — FAVOR+', group: 'G4' },
  description:
    'Non-causal ELU+1 linear attention with denominator (ε 1e-6), state form, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
