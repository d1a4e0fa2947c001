import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * One Gated DeltaNet decode step on a seeded d_k × d_v state (`[1, 4, 16, 16]`): h ← α_t h,
 * h ← h + k_t (β_t (v_t − hᵀ k_t))ᵀ, o_t = hᵀ q_t. O(d_k · d_v) per step whatever the past length.
 *
 * Catalog paper 82: Hybrid sparse attention + LTE (its Gated DeltaNet layers, decode).
 *
 * @example
 * ```ts
 * const step = gatedDeltaNetDecodeStep({ query, key, value, beta, logDecay, state }, 'layer');
 * ```
 */
export const gatedDeltaNetDecodeEntry = linearAttentionZooEntry({
  id: 'gated-deltanet-decode',
  mechanism: 'gated-deltanet-decode',
  paper: { id: 82, title: 'Hybrid sparse attention + LTE, Gated DeltaNet decode step', group: 'G6' },
  description:
    'One Gated DeltaNet decode step on a seeded 16 × 16 state per head, 4 heads: decay, delta-rule write, read; outputs the token and the next state.',
  tolerance: DEFAULT_TOLERANCE,
});
