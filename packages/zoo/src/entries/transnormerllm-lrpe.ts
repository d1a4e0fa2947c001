import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * TransNormerLLM's token mixer `NormLinearAttention`: [q, k, v, u] = x W_qkvu (no bias), q, k
 * SiLU-mapped, LRPE φ(x)_i = [x ⊙ cos(θ i) ; x ⊙ sin(θ i)] (θ `[H, d]` learned, seeded here in
 * [0.05, 1]), so that φ(q_i)·φ(k_j) = Σ_m q_m k_m cos(θ_m(i − j)), O_i = Σ_{j≤i} λ_h^(i−j)
 * φ(q_i)·φ(k_j) v_j with the per-layer decay of layer 2 of 6, no denominator, as a chunk sweep
 * (chunks of 8), then y = (SRMSNorm(concat_h O) ⊙ u) W_out with SRMSNorm x/√(mean(x²) + 1e−6).
 * The block's residual and pre-norm are the caller's.
 *
 * Catalog paper 19: TransNormerLLM — lightning attention, LRPE, SRMSNorm.
 *
 * @example
 * ```ts
 * const y = normLinearAttention(x, { name: 'layers.2.mixer', heads: 4, layer: 2, layers: 6, chunkSize: 8 }); // x [1, 24, 64]
 * ```
 */
export const transnormerllmLrpeEntry = linearAttentionZooEntry({
  id: 'transnormerllm-lrpe',
  mechanism: 'transnormerllm-lrpe',
  paper: {
    id: 19,
    title: 'TransNormerLLM — lightning attention, LRPE, SRMSNorm (Qin et al.), LRPE token mixer',
    group: 'G4',
  },
  description:
    'TransNormerLLM NormLinearAttention: x W_qkvu, SiLU on Q and K, LRPE (seeded θ), per-head decay of layer 2 of 6, chunk sweep with chunks of 8, SRMSNorm, u gate, W_out; 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
