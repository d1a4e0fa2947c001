import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Attention as an Adaptive Filter, isotropic: features rotated by learnable per-head frequencies
 * (Q̃_i = e^{−iωt_i} q_i), the robust score τ²(−log V − log(1 + |R|²/(ν d V))) with
 * |R|² = ‖Q̃‖² + E²‖K̃‖² − 2E Re(Q̃^*K̃), E = e^{−μΔ} and the Lyapunov variance V in the kernel's
 * score hook, causal softmax; values pulled forward by a second kernel.
 *
 * Catalog paper 20: Attention as an Adaptive Filter (Racioppo 2025).
 *
 * @example
 * ```ts
 * const score = [scale(1), scoreMod((dot, { b, h, q, k }) => afaScore(dot, b, h, q, k))];
 * const { output } = applyAttention(attention({ heads: 4, headDim: 16, score, mask: causal() }), operands);
 * ```
 */
export const adaptiveFilterAttentionEntry = attentionZooEntry({
  id: 'adaptive-filter-attention',
  mechanism: 'adaptive-filter-attention',
  paper: { id: 20, title: 'Attention as an Adaptive Filter — AFA (Racioppo 2025)', group: 'G5' },
  description:
    'Isotropic AFA score with learnable rotation frequencies and decay, causal, values pulled forward; 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
