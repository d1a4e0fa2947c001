import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Attention Sorting's document scores: each layer's attention returns the mass per key segment (one
 * segment per document) from the kernel that computes O, and the last query row's masses, averaged
 * over every head of every layer, score the documents; the host then sorts the documents ascending
 * (the most attended next to the question) and decodes again.
 *
 * Catalog paper 45: Attention Sorting (recency bias in long-context LMs).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), outputs: { segmentMass: [0, 6, 12, 18] } });
 * const masses = layers.map((operands) => applyAttention(spec, operands).segmentMass!);
 * const scores = attentionSortingScores(masses); // [batch, segments]
 * const order = attentionSortingOrder(documentScores); // host side, ascending
 * ```
 */
export const attentionSortingScoresEntry = attentionZooEntry({
  id: 'attention-sorting-scores',
  mechanism: 'attention-sorting-scores',
  paper: { id: 45, title: 'Attention Sorting (recency bias in long-context LMs)', group: 'G7' },
  description:
    'Two causal layers of 4 heads × 24 positions × dim 16 score 3 documents of 6 tokens (and the question) by the last row’s mean attention.',
  tolerance: DEFAULT_TOLERANCE,
});
