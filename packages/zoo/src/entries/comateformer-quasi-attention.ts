import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Comateformer's quasi-attention: signed weights from a similarity and a dissimilarity channel,
 * M_ij = tanh(α·E_ij)·σ(N_ij) ∈ (−1, 1) with E_ij = q_i·k_j/√d and N_ij = −β·‖q_i − k_j‖₁, and
 * O = M·V (values are added, subtracted or nullified): a score mod reading the per-pair
 * `l1Distance` variable, with the identity normalizer and no output norm. Here α = 1, β = 0.1,
 * 4 heads, 24 positions × dim 16, self-attention without a mask. The L1 distance is scalar ALU work
 * in the kernel's dot-product loop (no matrix path), and the unnormalized row sums grow with the
 * key count.
 *
 * Stated assumptions (the catalog marks them [verify]; the paper releases no code and follows
 * CoDA, Tay et al. 2019): the distance is taken on the projected q and k rows as given, without
 * mean-centring; CoDA's optional centring of the features is a map on q and k before the op, and
 * centring N over the keys of a row would need a row statistic the op does not compute. The
 * paper's use between two sentences and its combination with standard attention are the caller's
 * graph (a cross-attention call and an add).
 *
 * Catalog paper 23: Comateformer — combined/quasi-attention for sentence matching (Li et al. 2024).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4, headDim: 16,
 *   score: scoreMod((score, { l1Distance }) =>
 *     score.mul(1).apply('tanh').mul(l1Distance.mul(-0.1).apply('sigmoid'))),
 *   normalizer: identity({ outputNorm: 'none' }),
 * });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const comateformerQuasiAttentionEntry = attentionZooEntry({
  id: 'comateformer-quasi-attention',
  mechanism: 'comateformer-quasi-attention',
  paper: {
    id: 23,
    title: 'Comateformer — combined/quasi-attention for sentence matching (Li et al. 2024)',
    group: 'G2',
  },
  description:
    'Quasi-attention tanh(α·qk/√d)·σ(−β·‖q − k‖₁) with signed weights and no normalization, 4 heads, 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
