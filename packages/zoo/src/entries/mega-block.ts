import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Mega's moving-average gated attention block, encoder form (fairseq
 * `MovingAverageGatedAttention`): x' = LayerNorm(x), v = SiLU(x'W_v + b_v), the bidirectional
 * damped EMA m = SiLU(EMA_fwd(x') + EMA_bwd(x') + ω x'), [u, z, r, ĥ] = m W + b, q/k = z ⊙ γ + β,
 * softmax(q kᵀ/√z + b_rel) v, H = SiLU(ĥ + ((A v) ⊙ r) W_h + b_h), y = x + σ(u) ⊙ (H − x): the EMA's
 * two chunked sweeps, one single-head attention kernel and the projections around them (24
 * positions, width 16, zDim 8, hDim 32, 8 components).
 *
 * Catalog paper 70: Mega — Moving Average Equipped Gated Attention.
 *
 * @example
 * ```ts
 * const y = megaBlock(x, { name: 'mega', zDim: 8, hDim: 32, components: 8, bidirectional: true }); // x [B, L, D]
 * ```
 */
export const megaBlockEntry = linearAttentionZooEntry({
  id: 'mega-block',
  mechanism: 'mega-block',
  paper: { id: 70, title: 'Mega — Moving Average Equipped Gated Attention, encoder block', group: 'G4' },
  description:
    "Mega's gated block with the bidirectional EMA and softmax single-head attention plus a relative-position bias: 24 positions, width 16, zDim 8, hDim 32.",
  tolerance: DEFAULT_TOLERANCE,
});
