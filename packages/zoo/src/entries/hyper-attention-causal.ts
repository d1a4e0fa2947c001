import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * HyperAttention's causal forward by recursive halving: above `minSeqLen` the sequence's halves
 * become heads and run causal HyperAttention recursively (the diagonal quadrants), the bottom-left
 * quadrant runs the non-causal forward (sortLSH, sorted diagonal blocks, sampled residual), and the
 * bottom rows are merged by log-sum-exp; at or below `minSeqLen`, exact causal attention.
 *
 * Catalog paper 18: HyperAttention: Long-context Attention in Near-Linear Time (Han et al. 2023).
 *
 * @example
 * ```ts
 * const { output } = hyperAttention({ query, key, value }, { blockSize: 256, projections, samples: [level0, level1], causal: true, minSeqLen: 4096 });
 * ```
 */
export const hyperAttentionCausalEntry = attentionZooEntry({
  id: 'hyper-attention-causal',
  mechanism: 'hyper-attention-causal',
  paper: {
    id: 18,
    title:
      'HyperAttention: Long-context Attention in Near-Linear Time (Han et al. 2023), causal recursive halving',
    group: 'G6',
  },
  description:
    'Causal HyperAttention, 2 heads × 128 positions × dim 16: exact at ≤ 32 positions, two levels of sorted blocks of 16 with 16 sampled keys.',
  tolerance: DEFAULT_TOLERANCE,
});
