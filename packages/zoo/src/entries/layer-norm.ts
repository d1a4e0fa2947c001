import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * LayerNorm: standardize over the last axis, then a learned gain and bias.
 *
 * Catalog paper 34: On the Expressivity Role of LayerNorm in Transformers' Attention (Brody et al.).
 *
 * @example
 * ```ts
 * const y = layerNorm(input('x', [4, 37, 96]));
 * ```
 */
export const layerNormEntry = normZooEntry({
  id: 'layer-norm',
  mechanism: 'LayerNorm',
  paper: {
    id: 34,
    title: "On the Expressivity Role of LayerNorm in Transformers' Attention (Brody et al.)",
    group: 'G3',
  },
  description: 'LayerNorm over the last axis (96) of a [4, 37, 96] tensor, with learned gain and bias.',
  tolerance: DEFAULT_TOLERANCE,
});
