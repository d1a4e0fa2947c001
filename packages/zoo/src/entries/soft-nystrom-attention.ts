import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * SOFT's Nyström form: A · B⁺ · (Aᵀ V) with Gaussian kernels A = G(Q̂, Q̃), B = G(Q̃, Q̃), landmarks
 * Q̃ from a strided convolution, LayerNorm and GELU, and B⁺ by 20 Newton–Schulz steps, plus SOFT's
 * 3×3 depthwise convolution of each head's V over the token grid, all as IR ops.
 *
 * Catalog paper 83: SOFT — Softmax-free Linear Transformers.
 *
 * @example
 * ```ts
 * const { output } = softNystromAttention(query, value, { grid: [6, 6], ratio: 2, name: 'soft' });
 * ```
 */
export const softNystromAttentionEntry = attentionZooEntry({
  id: 'soft-nystrom-attention',
  mechanism: 'soft-nystrom-attention',
  paper: { id: 83, title: 'SOFT: Softmax-free Linear Transformers (Lu et al.)', group: 'G2' },
  description:
    'Nyström Gaussian-kernel attention, 9 landmarks from a 6×6 grid, plus a 3×3 depthwise conv of V per head; 2 heads × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
