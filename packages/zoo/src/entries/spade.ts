import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * SPADE: batch statistics without affine, then γ and β from convolutions over a resized segmentation
 * map.
 *
 * Catalog paper 61: SPADE — Spatially-Adaptive (De)normalization.
 *
 * @example
 * ```ts
 * const y = spade(input('x', [1, 8, 8, 8]), input('segmentation', [1, 5, 16, 16]), { hidden: 16 });
 * ```
 */
export const spadeEntry = normZooEntry({
  id: 'spade',
  mechanism: 'SPADE',
  paper: { id: 61, title: 'SPADE — Spatially-Adaptive (De)normalization', group: 'G3' },
  description:
    'SPADE of a [1, 8, 8, 8] tensor from a [1, 5, 16, 16] segmentation map with 16 hidden channels.',
  tolerance: DEFAULT_TOLERANCE,
});
