import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * GroupNorm: statistics over groups of channels and all spatial positions, per-channel affine.
 *
 * Catalog paper 61: SPADE — Spatially-Adaptive (De)normalization.
 *
 * @example
 * ```ts
 * const y = groupNorm(input('x', [2, 32, 9, 7]), { groups: 8 });
 * ```
 */
export const groupNormEntry = normZooEntry({
  id: 'group-norm',
  mechanism: 'GroupNorm',
  paper: { id: 61, title: 'SPADE — Spatially-Adaptive (De)normalization', group: 'G3' },
  description: 'GroupNorm with 8 groups over a [2, 32, 9, 7] (batch, channels, height, width) tensor.',
  tolerance: DEFAULT_TOLERANCE,
});
