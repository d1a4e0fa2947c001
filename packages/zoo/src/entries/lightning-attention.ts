import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Lightning attention's quadratic form O = [(QKᵀ) ⊙ D] V, D_ts = λ_h^(t−s) for t ≥ s, with
 * TransNormerLLM's per-head decay λ_h = exp(−slope_h) (ALiBi slopes times the layer factor) and no
 * normalizer. The chunked linear and recurrent forms are `lightning-attention-chunked`'s.
 *
 * Catalog paper 63: Lightning Attention + TransNormerLLM (TNL).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4, headDim: 16, score: [scale(1), lightningDecay(slopes)], mask: causal(),
 *   normalizer: identity({ outputNorm: 'none' }),
 * });
 * ```
 */
export const lightningAttentionEntry = attentionZooEntry({
  id: 'lightning-attention',
  mechanism: 'lightning-attention',
  paper: {
    id: 63,
    title: 'Lightning Attention + TransNormerLLM (TNL) — Various Lengths, Constant Speed',
    group: 'G2',
  },
  description:
    'Causal (QKᵀ ⊙ decay)·V with layer-2-of-6 slopes, no normalizer, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
