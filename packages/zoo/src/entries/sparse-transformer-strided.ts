import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Sparse Transformer's strided pattern: each query sees the previous stride keys and every stride-th
 * key before it.
 *
 * Catalog paper 53: Sparse Transformer — factorized sparse attention.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: stridedSparse(5) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const sparseTransformerStridedEntry = attentionZooEntry({
  id: 'sparse-transformer-strided',
  mechanism: 'sparse-transformer-strided',
  paper: { id: 53, title: 'Sparse Transformer — factorized sparse attention', group: 'G1' },
  description: 'Strided sparse attention with stride 5, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
