import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * AdaIN: instance normalization whose scale and shift come from a style vector through a linear map.
 *
 * Catalog papers 3 and 4: DurIAN-E 2 (Gu et al. 2024) and DurIAN-E (Gu et al. 2023).
 *
 * @example
 * ```ts
 * const y = adaIn(input('x', [2, 16, 9, 7]), input('style', [2, 24]));
 * ```
 */
export const adaInEntry = normZooEntry({
  id: 'ada-in',
  mechanism: 'AdaIN',
  paper: { id: 3, title: 'DurIAN-E 2 (Gu et al. 2024) and DurIAN-E (Gu et al. 2023)', group: 'G3' },
  description: 'AdaIN of a [2, 16, 9, 7] tensor conditioned on a [2, 24] style vector.',
  tolerance: DEFAULT_TOLERANCE,
});
