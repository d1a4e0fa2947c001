import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * SparseK attention, forward: a scoring network gives each key one score, each query keeps the top k
 * keys of its causal prefix and weighs their values by the SparseK operator (the projection of the
 * scores onto the capped simplex, threshold τ of every prefix by one fused bisection kernel, exact
 * in the float64 reference), then softmax attention
 * over the kept keys in two fused kernels whose log-sum-exps rescale the output.
 *
 * Catalog paper 86: SparseK Attention: Sparser is Faster and Less is More (Lou, Jia, Zheng, Tu).
 *
 * @example
 * ```ts
 * const score = { x, weight: param('sparsek.score.weight', [16, 2]) };
 * const { output } = sparseKAttention({ query, key, value }, { k: 12, score });
 * ```
 */
export const sparseKAttentionEntry = attentionZooEntry({
  id: 'sparsek-attention',
  mechanism: 'sparsek-attention',
  paper: {
    id: 86,
    title: 'SparseK Attention: Sparser is Faster and Less is More (Lou, Jia, Zheng, Tu)',
    group: 'G6',
  },
  description:
    'SparseK forward: linear key scores on x (+0.01·j), top 12 keys of each causal prefix with values weighted by the SparseK operator (τ of every prefix by one sparseKThreshold kernel), 2 heads × 64 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
