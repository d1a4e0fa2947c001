import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Linear Log-Normal attention: moment-matched exponential features φ(q) = exp(αq − max_d αq),
 * φ(k) = exp(βk − max_{n,d} βk), α = σ̃/σ_q, β = σ̃/σ_k, σ̃² = (σ_q²σ_k² − b)/(2a) with the
 * paper's fitted a, b and the sample std of the whole q and k tensors, then causal linear attention
 * with the denominator (ε 1e-8) as a chunk sweep (chunks of 8). The statistics are the call's, so
 * this is the full-sequence form (no decode step).
 *
 * Catalog paper 17: Linear Log-Normal Attention with Unbiased Concentration.
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: identity(), featureExpansion: llnFeatures(),
 *   denominator: { epsilon: 1e-8 }, causal: true, chunkSize: 8,
 * });
 * ```
 */
export const llnAttentionEntry = linearAttentionZooEntry({
  id: 'lln-attention',
  mechanism: 'lln-attention',
  paper: {
    id: 17,
    title: 'Linear Log-Normal Attention with Unbiased Concentration (Nahshan et al. 2023)',
    group: 'G4',
  },
  description:
    'Causal LLN attention: moment-matched exp features with max subtraction, denominator ε 1e-8, chunk sweep with chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
