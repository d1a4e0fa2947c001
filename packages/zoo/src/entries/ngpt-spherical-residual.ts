import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * nGPT's spherical residual: normalize(h + α · (normalize(update) − h)) with learned per-channel α.
 *
 * Catalog paper 85: nGPT: Normalized Transformer on the hypersphere (Loshchilov et al.).
 *
 * @example
 * ```ts
 * const y = sphericalResidual(input('h', [4, 37, 96]), input('update', [4, 37, 96]));
 * ```
 */
export const ngptSphericalResidualEntry = normZooEntry({
  id: 'ngpt-spherical-residual',
  mechanism: 'nGPT spherical residual',
  paper: {
    id: 85,
    title: 'nGPT: Normalized Transformer on the hypersphere (Loshchilov et al.)',
    group: 'G3',
  },
  description: 'Spherical residual of [4, 37, 96] hidden states and updates.',
  tolerance: DEFAULT_TOLERANCE,
});
