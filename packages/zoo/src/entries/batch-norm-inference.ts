import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * BatchNorm in inference form: running mean and variance, per-channel affine.
 *
 * Catalog paper 61: SPADE — Spatially-Adaptive (De)normalization.
 *
 * @example
 * ```ts
 * const y = batchNorm(input('x', [2, 16, 9, 7]));
 * ```
 */
export const batchNormInferenceEntry = normZooEntry({
  id: 'batch-norm-inference',
  mechanism: 'BatchNorm (inference)',
  paper: { id: 61, title: 'SPADE — Spatially-Adaptive (De)normalization', group: 'G3' },
  description: 'BatchNorm with running statistics over a [2, 16, 9, 7] tensor.',
  tolerance: DEFAULT_TOLERANCE,
});
