import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Log-linear Gated DeltaNet: Gated DeltaNet's transfer matrix P = (QKᵀ ⊙ Γ)(I + A)⁻¹ diag(β)
 * masked by the Fenwick level weights, O = (P ⊙ H^λ) V with H^λ_ts = λ_t^(ℓ(t,s)) (6 levels for
 * 24 positions), in the quadratic form. λ = softplus(·), β = sigmoid(·) and g = −softplus(·) of
 * seeded inputs stand in for the paper's projections.
 *
 * Catalog paper 109: Log-Linear Attention (the Gated DeltaNet instance).
 *
 * @example
 * ```ts
 * const { output } = logLinearGatedDeltaNet(q, k, v, levelWeights, { name: 'layer', beta, logDecay: g });
 * ```
 */
export const logLinearGatedDeltaNetEntry = linearAttentionZooEntry({
  id: 'log-linear-gated-deltanet',
  mechanism: 'log-linear-gated-deltanet',
  paper: { id: 109, title: 'Log-Linear Attention, the Gated DeltaNet instance', group: 'G4' },
  description:
    'Log-linear Gated DeltaNet, quadratic form: the gated delta rule transfer matrix times per-level weights λ over the Fenwick buckets, 4 heads × 24 positions × d 16, 6 levels.',
  tolerance: DEFAULT_TOLERANCE,
});
