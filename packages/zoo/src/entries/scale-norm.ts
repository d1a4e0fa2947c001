import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * ScaleNorm: g · x / ‖x‖ with one learned scalar g per layer.
 *
 * Catalog paper 28: Transformers without Tears — ScaleNorm, FixNorm, PreNorm (Nguyen & Salazar 2019).
 *
 * @example
 * ```ts
 * const y = scaleNorm(input('x', [4, 37, 96]));
 * ```
 */
export const scaleNormEntry = normZooEntry({
  id: 'scale-norm',
  mechanism: 'ScaleNorm',
  paper: {
    id: 28,
    title: 'Transformers without Tears — ScaleNorm, FixNorm, PreNorm (Nguyen & Salazar 2019)',
    group: 'G3',
  },
  description: 'ScaleNorm (one learned scalar gain) over the last axis (96) of a [4, 37, 96] tensor.',
  tolerance: DEFAULT_TOLERANCE,
});
