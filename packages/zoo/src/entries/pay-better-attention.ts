import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Optimised, Efficient and Super attention: heads read column slices X_h of the input as values
 * (and keys), Super mixes the values along the sequence by a learned W_A first.
 *
 * Catalog paper 13: You Need to Pay Better Attention (Hosseini & Hosseini 2024).
 *
 * @example
 * ```ts
 * const y = payBetterAttention(x, { kind: 'super', heads: 4 });
 * ```
 */
export const payBetterAttentionEntry = attentionZooEntry({
  id: 'pay-better-attention',
  mechanism: 'pay-better-attention',
  paper: {
    id: 13,
    title:
      'You Need to Pay Better Attention — Optimised / Efficient / Super attention (Hosseini & Hosseini 2024)',
    group: 'G5',
  },
  description:
    'Optimised (V_h = X_h), Efficient (K_h = V_h = X_h), Super (values W_A X_h) and causal Super attention; 2 × 12 rows × width 16, 4 heads.',
  tolerance: DEFAULT_TOLERANCE,
});
