import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * TransNormerLLM's token mixer up to its output norm: q, k SiLU-mapped, LRPE
 * φ(x)_i = [x ⊙ cos(θ i) ; x ⊙ sin(θ i)] (θ `[H, d]` learned, seeded here in [0.05, 1]), so that
 * φ(q_i)·φ(k_j) = Σ_m q_m k_m cos(θ_m(i − j)), and O_i = Σ_{j≤i} λ_h^(i−j) φ(q_i)·φ(k_j) v_j with
 * the per-layer decay of layer 2 of 6, no denominator, as a chunk sweep (chunks of 8). The SRMSNorm,
 * the u gate and the projections are the block's.
 *
 * Catalog paper 19: TransNormerLLM — lightning attention, LRPE, SRMSNorm.
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: identity(), featureExpansion: lrpeFeatures(),
 *   denominator: false, decay: lightningLinearDecay(4, 2, 6), causal: true, chunkSize: 8,
 * });
 * const { output } = applyLinearAttention(spec, { query: silu(q), key: silu(k), value: v });
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
    'Causal TransNormerLLM token mixer: SiLU on Q and K, LRPE cos/sin features (32 per row, seeded θ), per-head decay of layer 2 of 6, no denominator, chunk sweep with chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
