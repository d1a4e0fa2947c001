import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Local self-attention over chunks: each position attends only within its own fixed-size chunk.
 *
 * Catalog paper 51: TKL — Local Self-Attention over Long Text for document retrieval.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: chunked(8) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const localChunkAttentionEntry = attentionZooEntry({
  id: 'local-chunk-attention',
  mechanism: 'local-chunk-attention',
  paper: { id: 51, title: 'TKL — Local Self-Attention over Long Text for document retrieval', group: 'G1' },
  description: 'Chunked attention with chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
