import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * LSSAR: softplus of the length-scaled scores, l1-normalized over the kept keys, then sharpened by
 * re-weighting, A_ij = softplus(c_i·s_ij)/Σ softplus(c_i·s_ij'), A'_ij = A_ij²/Σ A_ij'², with
 * c_i = ln N_i and N_i = i + 1 keys under the causal mask. The exact c_i and g of the paper are
 * unverified (its code is not public); both are options of `softplusNormalized`.
 *
 * Catalog paper 113: Softplus Attention with Re-weighting — LSSA / LSSAR (Gao & Spratling).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4, headDim: 16, mask: causal(),
 *   normalizer: softplusNormalized({ lengthScale: 'log', reweight: { form: 'power', power: 2 } }),
 * });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const lssaSoftplusReweightingEntry = attentionZooEntry({
  id: 'lssa-softplus-reweighting',
  mechanism: 'lssa-softplus-reweighting',
  paper: {
    id: 113,
    title: 'Softplus Attention with Re-weighting — LSSA / LSSAR (Gao & Spratling)',
    group: 'G2',
  },
  description: 'Causal LSSAR (c_i = ln N_i, re-weighting A²), 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
