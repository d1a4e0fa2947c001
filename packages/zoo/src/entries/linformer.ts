import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Linformer: keys and values projected along the sequence by learned E_i, F_i `[k, n]`, then
 * softmax attention over the k projected positions — two batched matmuls and one fused kernel.
 *
 * Catalog paper 50: Linformer — Self-Attention with Linear Complexity.
 *
 * @example
 * ```ts
 * const { output } = linformerAttention(q, k, v, { projectedLength: 8, sharing: 'none' });
 * ```
 */
export const linformerEntry = attentionZooEntry({
  id: 'linformer',
  mechanism: 'linformer',
  paper: { id: 50, title: 'Linformer: Self-Attention with Linear Complexity (Wang et al.)', group: 'G5' },
  description:
    'Sequence projections n = 32 → k = 8 per head (no sharing), softmax attention; 4 heads × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
