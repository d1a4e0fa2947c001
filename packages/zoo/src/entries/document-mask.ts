import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Document (segment) masking: causal attention restricted to keys of the query's own document, from a
 * segment-id tensor.
 *
 * Catalog paper 60: Long-Context Attention Benchmark (kernel efficiency → context parallelism).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4,
 *   headDim: 16,
 *   mask: and(causal(), documentMask(tensorRef('segments', [1, 24], 'i32'), { sorted: true })),
 * });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const documentMaskEntry = attentionZooEntry({
  id: 'document-mask',
  mechanism: 'document-mask',
  paper: {
    id: 60,
    title: 'Long-Context Attention Benchmark (kernel efficiency → context parallelism)',
    group: 'G1',
  },
  description:
    'Causal attention within documents of 7 positions (segment ids as an input), 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
