import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * ILN: the learned instance/layer normalization mix of AdaLIN with learned per-channel γ and β.
 *
 * Catalog paper 1: U-GAT-IT — AdaLIN / ILN and CAM attention (Kim et al.).
 *
 * @example
 * ```ts
 * const y = instanceLayerNorm(input('x', [2, 16, 9, 7]));
 * ```
 */
export const instanceLayerNormEntry = normZooEntry({
  id: 'instance-layer-norm',
  mechanism: 'ILN',
  paper: { id: 1, title: 'U-GAT-IT — AdaLIN / ILN and CAM attention (Kim et al.)', group: 'G3' },
  description: 'ILN of a [2, 16, 9, 7] tensor.',
  tolerance: DEFAULT_TOLERANCE,
});
