import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * AILA's layered attention (architecture 2, as the catalog reads it): each token attends over the
 * outputs of earlier layers at its own position — attention along depth, one fused kernel.
 *
 * Catalog paper 98: AILA — Adaptive Integrated Layered Attention (Claster et al.).
 *
 * @example
 * ```ts
 * const mixed = layerStackAttention(x, [h0, h1, h2]);
 * ```
 */
export const layerStackAttentionEntry = attentionZooEntry({
  id: 'layer-stack-attention',
  mechanism: 'layer-stack-attention',
  paper: { id: 98, title: 'AILA: Adaptive Integrated Layered Attention (Claster et al.)', group: 'G5' },
  description:
    "AILA architecture 2 as the catalog reads it: each token attends over its 3 earlier layers' outputs (attention along depth), 2 × 12 rows × width 16.",
  tolerance: DEFAULT_TOLERANCE,
});
