import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * One log-linear Mamba-2 decode step at position 11 on a seeded Fenwick state of 5 levels
 * (`[1, 4, 5, 16, 16]`): the levels decayed by exp(a_t),
 * o_t = λ_t^(0) (q_t·k_t) v_t + Σ_ℓ λ_t^(ℓ) q_tᵀ S^(ℓ), then the carry of t + 1 = 12 merges levels 1
 * and 2 with k_t v_tᵀ into level 3. O(levels · d_k · d_v) per step whatever the past length.
 *
 * Catalog paper 109: Log-Linear Attention (its O(log T) decode state).
 *
 * @example
 * ```ts
 * const step = logLinearDecodeStep({ query, key, value, levelWeights, logDecay, state }, 'layer');
 * ```
 */
export const logLinearMamba2DecodeEntry = linearAttentionZooEntry({
  id: 'log-linear-mamba2-decode',
  mechanism: 'log-linear-mamba2-decode',
  paper: { id: 109, title: 'Log-Linear Attention, decode step on the Fenwick level states', group: 'G4' },
  description:
    'One log-linear Mamba-2 decode step at position 11 on a seeded state of 5 Fenwick levels, 4 heads × d 16; outputs the token, the merged levels and the next position.',
  tolerance: DEFAULT_TOLERANCE,
});
