import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * QKNorm attention: queries and keys ℓ₂-normalized per head inside the attention kernel
 * (q̂ = q / max(‖q‖₂, ε), k̂ likewise), scores g·q̂·k̂ with a learned gain g instead of 1/√d.
 *
 * Catalog paper 12: Query-Key Normalization — QKNorm (Henry et al. 2020).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4, headDim: 16,
 *   qkNorm: qkNorm({ kind: 'l2', scale: 'none' }),
 *   score: [scale(tensorRef('qkNorm.gain', [1]))],
 * });
 * const { output } = applyAttention(spec, { query, key, value, tensors: { 'qkNorm.gain': gain } });
 * ```
 */
export const qkNormEntry = attentionZooEntry({
  id: 'qk-norm',
  mechanism: 'qk-norm',
  paper: { id: 12, title: 'Query-Key Normalization — QKNorm (Henry et al. 2020)', group: 'G1' },
  description:
    'Attention with in-kernel ℓ₂ QK norm, 4 heads × 24 positions × dim 16, gain initialized to log₂(n² − n).',
  tolerance: DEFAULT_TOLERANCE,
});
