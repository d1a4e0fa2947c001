import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Performer's FAVOR+: positive random features φ(x) = m^(−1/2)(exp(ωᵀx̂ − ‖x̂‖²/2 − c) + 1e-4),
 * x̂ = x/d^(1/4), with m = 64 block-orthogonal Gaussian rows ω drawn from seed 78 and scaled by χ(d)
 * norms, c the row max for queries and the max over every key for keys (the reference code's
 * stabilizers), then O = D⁻¹(φ(Q)(φ(K)ᵀV)) in the non-causal state form: an unbiased estimate of
 * softmax(QKᵀ/√d)V. The features are graph ops before the op (a projection matmul, reductions and
 * exp); the causal sweep and the decode step take the same features (`keyStabilizer: 'row'` for
 * decoding).
 *
 * Catalog paper 78: Performer — FAVOR+.
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: identity(),
 *   featureExpansion: favorFeatures({ headDim: 16, features: 64, seed: 78 }), denominator: { epsilon: 0 },
 * });
 * const { output } = applyLinearAttention(spec, { query, key, value });
 * ```
 */
export const performerFavorEntry = linearAttentionZooEntry({
  id: 'performer-favor',
  mechanism: 'performer-favor',
  paper: { id: 78, title: 'Performer — FAVOR+', group: 'G4' },
  description:
    'Non-causal FAVOR+ with 64 seeded block-orthogonal random features and the reference stabilizers, state form, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
