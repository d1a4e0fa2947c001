import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * nGPT's hypersphere normalization: x / ‖x‖ over the last axis (no ε in the paper's code).
 *
 * Catalog paper 85: nGPT: Normalized Transformer on the hypersphere (Loshchilov et al.).
 *
 * @example
 * ```ts
 * const y = hypersphereNormalize(input('h', [4, 37, 96]));
 * ```
 */
export const ngptNormalizeEntry = normZooEntry({
  id: 'ngpt-normalize',
  mechanism: 'nGPT normalize',
  paper: {
    id: 85,
    title: 'nGPT: Normalized Transformer on the hypersphere (Loshchilov et al.)',
    group: 'G3',
  },
  description: 'Hypersphere normalization of a [4, 37, 96] tensor over its last axis.',
  tolerance: DEFAULT_TOLERANCE,
});
