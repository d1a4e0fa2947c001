import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * MHE: heads made from one shared Q/K/V projection and per-head embeddings, added (MHE-ADD) or
 * multiplied (MHE-MUL), then one fused attention kernel.
 *
 * Catalog paper 73: MHE — Multiple Head Embeddings (Pit One Against Many).
 *
 * @example
 * ```ts
 * const y = multiHeadEmbeddingAttention(x, { heads: 4, headDim: 8, mode: 'mul' });
 * ```
 */
export const multiHeadEmbeddingsEntry = attentionZooEntry({
  id: 'multi-head-embeddings',
  mechanism: 'multi-head-embeddings',
  paper: {
    id: 73,
    title: 'MHE — Multiple Head Embeddings (Pit One Against Many) (Xue & Aletras)',
    group: 'G5',
  },
  description:
    'MHE-ADD and MHE-MUL: 4 heads of dim 8 from one shared Q/K/V projection and per-head embeddings; 2 × 12 rows × width 16.',
  tolerance: DEFAULT_TOLERANCE,
});
