import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * AdaLIN: a learned mix ρ of instance and layer normalization, with γ and β given per sample.
 *
 * Catalog paper 1: U-GAT-IT — AdaLIN / ILN and CAM attention (Kim et al.).
 *
 * @example
 * ```ts
 * const y = adaLin(input('x', [2, 16, 9, 7]), { gamma: input('gamma', [2, 16]), beta: input('beta', [2, 16]) });
 * ```
 */
export const adaLinEntry = normZooEntry({
  id: 'ada-lin',
  mechanism: 'AdaLIN',
  paper: { id: 1, title: 'U-GAT-IT — AdaLIN / ILN and CAM attention (Kim et al.)', group: 'G3' },
  description: 'AdaLIN of a [2, 16, 9, 7] tensor with per-sample γ and β of shape [2, 16].',
  tolerance: DEFAULT_TOLERANCE,
});
