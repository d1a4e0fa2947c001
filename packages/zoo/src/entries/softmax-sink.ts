import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Softmax with a learned per-head sink logit in the denominator, so a head may attend to nothing.
 *
 * Catalog paper 25: Unveiling and Harnessing Hidden Attention Sinks — ACT (Yu et al.).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), normalizer: softmax({ sink: tensorRef('sink', [4]) }) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const softmaxSinkEntry = attentionZooEntry({
  id: 'softmax-sink',
  mechanism: 'softmax-sink',
  paper: { id: 25, title: 'Unveiling and Harnessing Hidden Attention Sinks — ACT (Yu et al.)', group: 'G6' },
  description:
    'Causal attention whose softmax has per-head sinks 0, 0.5, 1 and −1, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
