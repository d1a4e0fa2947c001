import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Sigmoid attention: an elementwise sigmoid of the scores plus the bias b = −log n in place of
 * softmax.
 *
 * Catalog paper 21: Theory, Analysis, and Best Practices for Sigmoid Self-Attention (Ramapuram et al.,
 * Apple).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), normalizer: sigmoid() });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const sigmoidAttentionEntry = attentionZooEntry({
  id: 'sigmoid-attention',
  mechanism: 'sigmoid-attention',
  paper: {
    id: 21,
    title: 'Theory, Analysis, and Best Practices for Sigmoid Self-Attention (Ramapuram et al., Apple)',
    group: 'G2',
  },
  description: 'Causal sigmoid attention, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
