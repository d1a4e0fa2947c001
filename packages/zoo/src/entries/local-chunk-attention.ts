import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * TKL's local self-attention: positions are split into chunks of 40 and each chunk is
 * contextualized with 5 positions of overlap on each side (windows of 50), as TKL's unfold does;
 * a query sees the keys of its own extended chunk. `chunked(size)` is the non-overlapping form.
 *
 * Catalog paper 51: TKL — Local Self-Attention over Long Text for document retrieval.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: overlappingChunks(40, 5) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const localChunkAttentionEntry = attentionZooEntry({
  id: 'local-chunk-attention',
  mechanism: 'local-chunk-attention',
  paper: { id: 51, title: 'TKL — Local Self-Attention over Long Text for document retrieval', group: 'G1' },
  description:
    'Overlapping chunks of 40 with 5 positions of overlap per side, 4 heads × 100 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
