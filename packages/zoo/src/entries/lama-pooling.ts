import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * LAMA's low-rank multi-head attention pooling: one query per head s_k q_k over the sequence,
 * tanh of the rank-1 bilinear score, softmax over positions, one fused kernel.
 *
 * Catalog paper 58: LAMA — Low-Rank Factorization for Compact Multi-Head Self-Attention.
 *
 * @example
 * ```ts
 * const pooled = lamaPooling(h, { heads: 4 }); // h [2, 12, 16] → [2, 4, 16]
 * ```
 */
export const lamaPoolingEntry = attentionZooEntry({
  id: 'lama-pooling',
  mechanism: 'lama-pooling',
  paper: {
    id: 58,
    title: 'LAMA — Low-Rank Factorization for Compact Multi-Head Self-Attention (Mehta et al.)',
    group: 'G5',
  },
  description:
    'LAMA attention pooling: 4 heads, e = tanh((p_kᵀc)(q_kᵀh_t)/(‖c‖‖h_t‖)), softmax over 12 positions, width 16, batch 2; with and without the norms.',
  tolerance: DEFAULT_TOLERANCE,
});
