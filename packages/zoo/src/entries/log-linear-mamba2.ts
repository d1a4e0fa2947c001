import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Log-linear Mamba-2: O = (QKᵀ ⊙ H) V with H_ts = exp(Σ_{r=s+1}^{t} a_r) λ_t^(ℓ(t,s)), ℓ(t, s) the
 * Fenwick level of key s for query t and λ ≥ 0 one weight per level (6 levels for 24 positions),
 * in the fused chunked form (one kernel, `linearAttention.logLinear`): levels 0 … 3 as a masked
 * product inside chunks of 8, levels 4 and 5 as one state per aligned block of chunks, merged by
 * the Fenwick carry of the chunk index; its decomposition, the IR chunked form, is the unfused
 * baseline. λ = softplus(·) and a = −softplus(·) of seeded inputs stand in for the
 * paper's projections of x_t.
 *
 * Catalog paper 109: Log-Linear Attention (the Mamba-2 instance).
 *
 * @example
 * ```ts
 * const { output } = logLinearAttention(q, k, v, levelWeights, { name: 'layer', logDecay: a, chunkSize: 8, form: 'fused' });
 * ```
 */
export const logLinearMamba2Entry = linearAttentionZooEntry({
  id: 'log-linear-mamba2',
  mechanism: 'log-linear-mamba2',
  paper: {
    id: 109,
    title: 'Log-Linear Attention, the Mamba-2 instance (Fenwick-level weights)',
    group: 'G4',
  },
  description:
    'Log-linear Mamba-2, one fused chunk sweep: Mamba-2 decay times per-level weights λ over the Fenwick buckets of the prefix, 4 heads × 24 positions × d 16, 6 levels, chunks of 8.',
  tolerance: DEFAULT_TOLERANCE,
});
