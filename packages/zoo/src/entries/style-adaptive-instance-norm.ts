import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * SAIN (style-adaptive instance normalization): masked instance statistics over time, scale and shift
 * from a style vector.
 *
 * Catalog papers 3 and 4: DurIAN-E 2 (Gu et al. 2024) and DurIAN-E (Gu et al. 2023).
 *
 * @example
 * ```ts
 * const y = styleAdaptiveInstanceNorm(input('h', [3, 16, 41]), input('style', [3, 24]), {
 *   mask: input('mask', [3, 41]),
 * });
 * ```
 */
export const styleAdaptiveInstanceNormEntry = normZooEntry({
  id: 'style-adaptive-instance-norm',
  mechanism: 'SAIN',
  paper: { id: 3, title: 'DurIAN-E 2 (Gu et al. 2024) and DurIAN-E (Gu et al. 2023)', group: 'G3' },
  description:
    'SAIN of a [3, 16, 41] tensor with 41, 17 and 3 valid frames, conditioned on a [3, 24] style vector.',
  tolerance: DEFAULT_TOLERANCE,
});
