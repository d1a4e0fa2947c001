import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Galerkin attention: z = Q(K̃ᵀṼ)/n with K̃ = LN_K(K), Ṽ = LN_V(V), a LayerNorm per head over d_k
 * (ε 1e-5, seeded gains and biases), no softmax and no 1/√d; the non-causal state form of linear
 * attention (identity φ, no denominator).
 *
 * Catalog paper 89: Choose a Transformer: Fourier or Galerkin (the Galerkin variant).
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: identity(), denominator: false });
 * const { output } = applyLinearAttention(spec, galerkinOperands(query, key, value, 'galerkin'));
 * ```
 */
export const galerkinAttentionEntry = linearAttentionZooEntry({
  id: 'galerkin-attention',
  mechanism: 'galerkin-attention',
  paper: { id: 89, title: 'Choose a Transformer: Fourier or Galerkin (Galerkin attention)', group: 'G4' },
  description:
    'Galerkin attention: Q(LN_K(K)ᵀ LN_V(V))/n with per-head LayerNorms (seeded gains and biases), non-causal state form, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
