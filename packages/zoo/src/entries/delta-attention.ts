import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Δ Attention: sink + sliding-window attention for every query, corrected by the difference to dense
 * causal attention measured at the first query of each block of γ and added to the whole block.
 * Three kernels: the sparse attention, the dense attention of the N/γ strided queries, one
 * elementwise kernel.
 *
 * Catalog paper 65: Delta Attention: Fast and Accurate Sparse Attention Inference by Delta
 * Correction (Willette, Lee, Hwang 2025).
 *
 * @example
 * ```ts
 * const { output } = deltaAttention({ query, key, value }, { gamma: 16, window: 48, sink: 8 });
 * ```
 */
export const deltaAttentionEntry = attentionZooEntry({
  id: 'delta-attention',
  mechanism: 'delta-attention',
  paper: {
    id: 65,
    title:
      'Delta Attention: Fast and Accurate Sparse Attention Inference by Delta Correction (Willette, Lee, Hwang 2025)',
    group: 'G6',
  },
  description:
    'Δ Attention: causal attention over 8 sink tokens + a window of 48, corrected by dense attention at the first query of each block of 16, 2 heads × 256 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
