import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * One log-linear Gated DeltaNet decode step at position 11 on seeded Fenwick level states
 * (`[1, 4, 5, 16, 16]`): every level takes the transition h ← α_t (h − β_t k_t (k_tᵀ h)),
 * o_t = λ_t^(0) β_t (q_t·k_t) v_t + Σ_ℓ λ_t^(ℓ) h^(ℓ)ᵀ q_t, then the carry of t + 1 = 12 merges
 * levels 1 and 2 with β_t k_t v_tᵀ into level 3. O(levels · d_k · d_v) per step.
 *
 * Catalog paper 109: Log-Linear Attention (the Gated DeltaNet instance's decode state).
 *
 * @example
 * ```ts
 * const step = logLinearGatedDeltaNetDecodeStep(
 *   { query, key, value, beta, logDecay, levelWeights, state },
 *   'layer',
 * );
 * ```
 */
export const logLinearGatedDeltaNetDecodeEntry = linearAttentionZooEntry({
  id: 'log-linear-gated-deltanet-decode',
  mechanism: 'log-linear-gated-deltanet-decode',
  paper: {
    id: 109,
    title: 'Log-Linear Attention, Gated DeltaNet decode on the Fenwick level states',
    group: 'G4',
  },
  description:
    'One log-linear Gated DeltaNet decode step at position 11 on seeded states of 5 Fenwick levels, 4 heads × d 16; outputs the token, the merged levels and the next position.',
  tolerance: DEFAULT_TOLERANCE,
});
