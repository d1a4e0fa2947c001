import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * SOFT's softmax-free Gaussian kernel attention, `ratio == 1` form: G(Q̂, Q̂) V with Q̂ = Q / d^(1/4),
 * K tied to Q and G(a, b) = exp(−½‖a − b‖²), no row normalization.
 *
 * Catalog paper 83: SOFT — Softmax-free Linear Transformers.
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4, headDim: 16, normalizer: identity({ outputNorm: 'none' }),
 *   score: gaussianKernelScore({ queryNormSquared: norms, keyNormSquared: norms }),
 * });
 * ```
 */
export const softGaussianKernelEntry = attentionZooEntry({
  id: 'soft-gaussian-kernel',
  mechanism: 'soft-gaussian-kernel',
  paper: { id: 83, title: 'SOFT: Softmax-free Linear Transformers (Lu et al.)', group: 'G2' },
  description: 'exp(−½‖q̂_i − q̂_j‖²)·V with K tied to Q, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
