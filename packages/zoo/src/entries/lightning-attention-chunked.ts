import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Lightning attention as the paper computes it: O = [(QKᵀ) ⊙ D] V with D_ts = λ_h^(t−s) (t ≥ s),
 * λ_h = exp(−slope_h) for layer 2 of 6, no normalizer, as a chunk sweep (chunks of 8: intra-chunk
 * masked products with decay ratios, inter-chunk KV state, KV ← λ^C KV + Σ_s λ^(C−1−s) k_sᵀ v_s).
 * The same inputs as `lightning-attention` (the quadratic form), which it matches. TNL's output
 * SRMSNorm and gate belong to the layer around it.
 *
 * Catalog paper 63: Lightning Attention + TransNormerLLM (TNL).
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: identity(), denominator: false,
 *   decay: lightningLinearDecay(4, 2, 6), causal: true, chunkSize: 8,
 * });
 * ```
 */
export const lightningAttentionChunkedEntry = linearAttentionZooEntry({
  id: 'lightning-attention-chunked',
  mechanism: 'lightning-attention-chunked',
  paper: {
    id: 63,
    title: 'Lightning Attention + TransNormerLLM (TNL) — Various Lengths, Constant Speed',
    group: 'G4',
  },
  description:
    'Causal decayed linear attention (layer-2-of-6 λ_h, no normalizer) as a chunk sweep with chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
