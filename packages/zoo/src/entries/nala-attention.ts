import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * NaLaFormer's norm-aware linear attention: φ(q) = [(ReLU(q)/‖q‖)^p ; (ReLU(−q)/‖q‖)^p] with the
 * query-norm-dependent power p = 3(0.5 + tanh ‖q‖), φ(k) = [ReLU(k³) ; ReLU(−k³)] (a sign split:
 * only same-sign coordinates interact), 32 features per row, and the reference's
 * o_i = φ_q·mean φ_k v / (φ_q·mean φ_k + 1e−6) (the op's sum form with ε = 24·1e−6), non-causal.
 * The vision block's 2-D RoPE on the numerator's features, LePE and the LN ⊙ SiLU gate are the
 * `nalaformer-vision-block` entry (the op shares φ between numerator and denominator; the block
 * builds z itself).
 *
 * Catalog paper 16: NaLaFormer — Norm-Aware Linear Attention.
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: identity(), featureExpansion: nalaFeatures(),
 *   denominator: { epsilon: 24e-6 },
 * });
 * ```
 */
export const nalaAttentionEntry = linearAttentionZooEntry({
  id: 'nala-attention',
  mechanism: 'nala-attention',
  paper: { id: 16, title: 'NaLaFormer — Norm-Aware Linear Attention (Meng et al. 2025)', group: 'G4' },
  description:
    'Non-causal NaLaFormer linear attention: sign-split features with a query-norm-dependent power and cubed keys (32 features), mean-form denominator ε 1e-6, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
