import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * A stand-in for retention: the decayed linear attention O = (QKᵀ ⊙ D) V, D_nm = γ_h^(n−m), with
 * RetNet's rates γ_h = 1 − 2^(−5−h) (Sun et al. 2023, not a numbered catalog paper), no
 * denominator, as a chunk sweep. Not RetNet's layer: its xPos rotation of Q and K, its GroupNorm
 * of each head's output and its swish gate are not applied.
 *
 * Catalog paper 19: TransNormerLLM, whose catalog entry names this "decayed linear attention
 * (retention-style)" (with its own λ_h; see `lightning-attention-chunked`).
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: identity(), denominator: false,
 *   decay: retentionDecay(4), causal: true, chunkSize: 8,
 * });
 * ```
 */
export const retentionDecayStandInEntry = linearAttentionZooEntry({
  id: 'retention-decay-stand-in',
  mechanism: 'retention-decay-stand-in',
  paper: { id: 19, title: 'TransNormerLLM — lightning attention, LRPE, SRMSNorm (Qin et al.)', group: 'G4' },
  description:
    'Stand-in for retention: causal (QKᵀ ⊙ γ_h^(n−m))·V with RetNet’s γ_h = 1 − 2^(−5−h), no GroupNorm, chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
