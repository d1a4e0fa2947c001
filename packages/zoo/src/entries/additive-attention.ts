import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Show, Attend and Tell's soft attention: 12 decoder states attend to 24 annotations with the
 * additive score U_attᵀ tanh(W_c a_i + b_c + W_d h) (c_att cancels in the softmax), the projections
 * as matmuls before the op and the sum over the hidden width C = 8 in the fused kernel's score hook.
 *
 * Catalog paper 10: Show, Attend and Tell.
 *
 * @example
 * ```ts
 * const score = additiveScore({ queryProjection, keyProjection, weights, activation: 'tanh' });
 * const { output } = applyAttention(attention({ heads: 4, headDim: 16, score }), { query, key, value, tensors });
 * ```
 */
export const additiveAttentionEntry = attentionZooEntry({
  id: 'additive-attention',
  mechanism: 'additive-attention',
  paper: { id: 10, title: 'Show, Attend and Tell (Xu et al.): additive attention', group: 'G5' },
  description: 'U_attᵀ tanh(W_c a_j + b_c + W_d h_i) scores, 4 heads, 12 queries × 24 keys, C = 8.',
  tolerance: DEFAULT_TOLERANCE,
});
