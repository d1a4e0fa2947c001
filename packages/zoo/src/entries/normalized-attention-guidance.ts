import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Normalized Attention Guidance: a cross-attention query attends to a positive and a negative
 * prompt; the features are extrapolated away from the negative one, Z̃ = φZ⁺ − (φ−1)Z⁻, their L1
 * norm over the merged heads clipped at τ times that of Z⁺, and blended with Z⁺ by α. Two fused
 * attention kernels and one epilogue kernel.
 *
 * Catalog paper 35: Normalized Attention Guidance: Universal Negative Guidance for Diffusion Models
 * (Chen et al. 2025).
 *
 * @example
 * ```ts
 * const { output } = normalizedAttentionGuidance(
 *   { query, positive: { key: positiveKey, value: positiveValue }, negative: { key: negativeKey, value: negativeValue } },
 *   { scale: 2, tau: 2.5, alpha: 0.25 },
 * );
 * ```
 */
export const normalizedAttentionGuidanceEntry = attentionZooEntry({
  id: 'normalized-attention-guidance',
  mechanism: 'normalized-attention-guidance',
  paper: {
    id: 35,
    title:
      'Normalized Attention Guidance: Universal Negative Guidance for Diffusion Models (Chen et al. 2025)',
    group: 'G6',
  },
  description:
    'NAG: 2 heads × 48 queries × dim 16 against a positive prompt of 20 tokens and a negative one of 12, φ 2, τ 2.5, α 0.25 (L1 ratio over the merged heads).',
  tolerance: DEFAULT_TOLERANCE,
});
