import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Aaren (attention as an RNN): a learned query token per head (seeded), s_i = q·k_i, and
 * o_t = Σ_{i≤t} e^(s_i) v_i / Σ_{i≤t} e^(s_i), as causal linear attention with one feature
 * φ(k_i) = e^(s_i − max s) and φ(q) = 1, denominator at ε 0: the chunked sweep (chunks of 8) is its
 * prefix scan, with the call's max; the paper's running-max form and decode state (m, u, w) are
 * `applyAaren` (entry `aaren-decode`).
 *
 * Catalog paper 100: Attention as an RNN (Aaren).
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 1, valueDim: 16, featureMap: identity(), denominator: { epsilon: 0 }, causal: true,
 * });
 * const { output } = applyLinearAttention(spec, aarenOperands(key, value, 'aaren'));
 * ```
 */
export const aarenEntry = linearAttentionZooEntry({
  id: 'aaren',
  mechanism: 'aaren',
  paper: { id: 100, title: 'Attention as an RNN (Aaren), prefill form', group: 'G4' },
  description:
    'Aaren: a seeded learned query per head, causal softmax over q·k_i as a one-feature linear-attention prefix scan, chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
