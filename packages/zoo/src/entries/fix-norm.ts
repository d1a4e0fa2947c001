import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * FixNorm: word embeddings scaled to a fixed length g · x / ‖x‖ (g defaults to √d).
 *
 * Catalog paper 28: Transformers without Tears — ScaleNorm, FixNorm, PreNorm (Nguyen & Salazar 2019).
 *
 * @example
 * ```ts
 * const y = fixNorm(input('x', [4, 37, 96]));
 * ```
 */
export const fixNormEntry = normZooEntry({
  id: 'fix-norm',
  mechanism: 'FixNorm',
  paper: {
    id: 28,
    title: 'Transformers without Tears — ScaleNorm, FixNorm, PreNorm (Nguyen & Salazar 2019)',
    group: 'G3',
  },
  description: 'FixNorm over the last axis (96) of a [4, 37, 96] tensor.',
  tolerance: DEFAULT_TOLERANCE,
});
