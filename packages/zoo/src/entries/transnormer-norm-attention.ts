import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * TransNormer's NormAttention, the paper's later layers: φ = 1 + elu on queries and keys, no
 * division by Σ_j φ(q_i)·φ(k_j) (the scaling the paper removes), causal O = XNorm([(φ(Q)φ(K)ᵀ) ⊙ M] V)
 * as a chunk sweep (chunks of 8: quadratic inside a chunk, state S = Σ φ(k_j) v_jᵀ between chunks,
 * the recurrent decode step on the same state), then XNorm over each position's merged heads
 * (the reference code's RMSNorm without gain, x / (√mean(x²) + 1e-8)) as a fused row kernel.
 * DiagAttention, the early layers, is `transnormer-diag-attention`.
 *
 * Catalog paper 49: TransNormer — The Devil in Linear Transformer (NormAttention + DiagAttention).
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: elu1(), denominator: false,
 *   outputNorm: transnormerOutputNorm(), causal: true, chunkSize: 8,
 * });
 * const { output } = applyLinearAttention(spec, { query, key, value });
 * ```
 */
export const transnormerNormAttentionEntry = linearAttentionZooEntry({
  id: 'transnormer-norm-attention',
  mechanism: 'transnormer-norm-attention',
  paper: { id: 49, title: 'TransNormer — The Devil in Linear Transformer (NormAttention)', group: 'G4' },
  description:
    'Causal NormAttention: 1+elu features, no denominator, RMSNorm over the merged heads, chunk sweep with chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
