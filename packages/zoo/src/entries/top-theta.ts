import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Top-θ attention: softmax weights of the scores at or above a calibrated per-head threshold θ_h
 * (a `[heads]` parameter), with V-mean compensation: o_i = Σ_kept p_ij v_j + (1 − Σ_kept p_ij)·v̄_i,
 * p the full-softmax weights and v̄_i the mean of the visible value rows.
 *
 * Catalog paper 114: Top-θ Attention — sparsifying transformers by compensated thresholding
 * (Berestizshevsky, Andri, Cavigelli).
 *
 * @example
 * ```ts
 * const theta = tensorRef('topTheta.theta', [4]);
 * const spec = attention({
 *   heads: 4, headDim: 16, mask: causal(),
 *   normalizer: topTheta({ threshold: theta, compensation: 'valueMean' }),
 * });
 * const { output } = applyAttention(spec, { query, key, value, tensors: { 'topTheta.theta': param('topTheta.theta', [4]) } });
 * ```
 */
export const topThetaEntry = attentionZooEntry({
  id: 'top-theta',
  mechanism: 'top-theta',
  paper: {
    id: 114,
    title:
      'Top-θ Attention: sparsifying transformers by compensated thresholding (Berestizshevsky, Andri, Cavigelli)',
    group: 'G2',
  },
  description:
    'Causal Top-θ with per-head thresholds and V-mean compensation, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
