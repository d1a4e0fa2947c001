import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Neural Attention Search: each head gives every token a type from W_type x_j (Global, Local,
 * SlidingWindow). Global keys stay visible, Local keys until the next Global token, SlidingWindow
 * keys for w more queries; causal softmax attention runs over the kept pairs. The lifetimes are
 * graph ops on the device (argmax, a reverse cumulative min); the attention kernel skips the key
 * tiles whose keys all expired.
 *
 * Catalog paper 11: Neural Attention Search (Deng & Lindauer 2025).
 *
 * @example
 * ```ts
 * const typeLogits = input('typeLogits', [1, 2, 128, 3]); // W_type x_j per head
 * const lastQuery = tensorRef('lastQuery', [1, 2, 128], 'i32');
 * const spec = attention({ heads: 2, headDim: 16, mask: and(causal(), keyLifetime(lastQuery, { skipEmptyTiles: true })) });
 * const { output } = applyAttention(spec, { query, key, value, tensors: { lastQuery: natsKeyLifetimes(typeLogits, { window: 4 }) } });
 * ```
 */
export const natsEntry = attentionZooEntry({
  id: 'nats',
  mechanism: 'nats',
  paper: { id: 11, title: 'Neural Attention Search — NAtS (Deng & Lindauer 2025)', group: 'G6' },
  description:
    'NAtS: per-head token types argmax(W_type x_j) (Global, Local until the next Global, SlidingWindow w 4), causal attention over the kept pairs, expired key tiles skipped, 2 heads × 128 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
