import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Neural Attention's MLP score, the paper's one-hidden-layer formula s_ij = w_aᵀ ReLU(W_h [q_i; k_j] + b_h)
 * with W_h [q; k] = W_q q + W_k k projected before the op, causal self-attention; b_a cancels in the
 * softmax. The code's two-hidden-layer variant is not covered.
 *
 * Catalog paper 15: Neural Attention (DiGiugno & Mahmood).
 *
 * @example
 * ```ts
 * const score = additiveScore({ queryProjection, keyProjection, weights, activation: 'relu' });
 * const spec = attention({ heads: 4, headDim: 16, score, mask: causal() });
 * ```
 */
export const mlpScoreAttentionEntry = attentionZooEntry({
  id: 'mlp-score-attention',
  mechanism: 'mlp-score-attention',
  paper: { id: 15, title: 'Neural Attention: an MLP score function (DiGiugno & Mahmood)', group: 'G5' },
  description: 'w_aᵀ ReLU(W_q q_i + W_k k_j + b) scores, causal, 4 heads × 24 positions, d′ = 8.',
  tolerance: DEFAULT_TOLERANCE,
});
