import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * adaLN-Zero: LayerNorm without affine, then shift and scale (and a residual gate) regressed from a
 * conditioning vector.
 *
 * Catalog paper 5: NViST — cross-attention decoder with adaptive LayerNorm (Jang & Agapito, CVPR
 * 2024).
 *
 * @example
 * ```ts
 * const { modulated, gate } = adaLnZero(input('x', [2, 33, 64]), input('c', [2, 48]));
 * ```
 */
export const adaLnZeroEntry = normZooEntry({
  id: 'ada-ln-zero',
  mechanism: 'adaLN-Zero',
  paper: {
    id: 5,
    title: 'NViST — cross-attention decoder with adaptive LayerNorm (Jang & Agapito, CVPR 2024)',
    group: 'G3',
  },
  description:
    'adaLN-Zero of [2, 33, 64] tokens conditioned on a [2, 48] vector; outputs the modulated tokens and the gate.',
  tolerance: DEFAULT_TOLERANCE,
});
