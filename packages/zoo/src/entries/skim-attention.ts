import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Skim-Attention: one attention map from layout embeddings, shared by every layer; each layer's
 * fused kernel recomputes it from the layout queries and keys, so no n×n tensor is stored.
 *
 * Catalog paper 62: Skim-Attention — attention from document layout only.
 *
 * @example
 * ```ts
 * const layout = skimLayout(layoutEmbeddings, { heads: 4, name: 'skim' });
 * const h1 = skimAttentionLayer(h0, layout, { name: 'layers.0' });
 * ```
 */
export const skimAttentionEntry = attentionZooEntry({
  id: 'skim-attention',
  mechanism: 'skim-attention',
  paper: {
    id: 62,
    title: 'Skim-Attention — attention from document layout only (Nguyen et al.)',
    group: 'G5',
  },
  description:
    'Two Skimformer layers reusing one layout attention map (recomputed in each fused kernel, never stored): LN(H + W_O A H W_V); 2 × 12 rows × width 16, 4 heads.',
  tolerance: DEFAULT_TOLERANCE,
});
