import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Gated DeltaNet (Yang, Kautz & Hatamizadeh 2025), parallel form:
 * S_t = α_t S_{t−1}(I − β_t k_t k_tᵀ) + β_t v_t k_tᵀ, o_t = S_t q_t, built as the pseudo-values
 * U = (I + A)⁻¹ diag(β) V (a unit lower-triangular solve by repeated squaring) read by
 * (QKᵀ ⊙ Γ) U, with q, k L2-normalized and q scaled by d_k^(−1/2). β = sigmoid(·) and
 * g = −softplus(·) of seeded inputs stand in for the layer's projections; also outputs the
 * prefill state h = Σ_s exp(c_{N−1} − c_s) k_s u_sᵀ.
 *
 * Catalog paper 82: Hybrid sparse attention + LTE (its Gated DeltaNet layers).
 *
 * @example
 * ```ts
 * const { output, state } = gatedDeltaNet(q, k, v, { name: 'layer', beta, logDecay: g, returnState: true });
 * ```
 */
export const gatedDeltaNetEntry = linearAttentionZooEntry({
  id: 'gated-deltanet',
  mechanism: 'gated-deltanet',
  paper: { id: 82, title: 'Hybrid sparse attention + LTE, its Gated DeltaNet layers', group: 'G6' },
  description:
    'Gated DeltaNet, parallel form: gated delta-rule pseudo-values by a unit lower-triangular solve, 4 heads × 24 positions × d 16, L2-normalized q and k; outputs the tokens and the prefill state.',
  tolerance: DEFAULT_TOLERANCE,
});
