import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * RMSNorm: divide by the root mean square over the last axis, then a learned gain.
 *
 * Catalog paper 34: On the Expressivity Role of LayerNorm in Transformers' Attention (Brody et al.).
 *
 * @example
 * ```ts
 * const y = rmsNorm(input('x', [4, 37, 96]));
 * ```
 */
export const rmsNormEntry = normZooEntry({
  id: 'rms-norm',
  mechanism: 'RMSNorm',
  paper: {
    id: 34,
    title: "On the Expressivity Role of LayerNorm in Transformers' Attention (Brody et al.)",
    group: 'G3',
  },
  description: 'RMSNorm over the last axis (96) of a [4, 37, 96] tensor, with a learned gain.',
  tolerance: DEFAULT_TOLERANCE,
});
