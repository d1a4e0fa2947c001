import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Sparse Transformer's fixed pattern: attention within blocks plus to the last c summary positions of
 * every block.
 *
 * Catalog paper 53: Sparse Transformer — factorized sparse attention.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: fixedSparse(6, 2) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const sparseTransformerFixedEntry = attentionZooEntry({
  id: 'sparse-transformer-fixed',
  mechanism: 'sparse-transformer-fixed',
  paper: { id: 53, title: 'Sparse Transformer — factorized sparse attention', group: 'G1' },
  description:
    'Fixed sparse attention with blocks of 6 and 2 summary positions, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
