import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Attention that also returns the diagonal p_tt of its probabilities, the token weights of Ditto's
 * pooling (the pooling itself is a weighted mean of hidden states), written by the kernel that computes O.
 *
 * Catalog paper 79: Ditto — Diagonal Attention Pooling for sentence embeddings.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, outputs: { diagonal: true } });
 * const { diagonal } = applyAttention(spec, { query, key, value });
 * ```
 */
export const dittoDiagonalReadoutEntry = attentionZooEntry({
  id: 'ditto-diagonal-readout',
  mechanism: 'ditto-diagonal-readout',
  paper: { id: 79, title: 'Ditto — Diagonal Attention Pooling for sentence embeddings', group: 'G7' },
  description:
    'Bidirectional attention that also returns the diagonal p_tt, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
