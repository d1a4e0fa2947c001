import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * FAST / Fastmax, quadratic form: Q and K centred over the features and divided by their largest
 * token norm per head (T = 1), then A_ij = f(s_ij)/Σ_l f(s_il) with the degree-2 Taylor polynomial
 * f(s) = 1 + s + s²/2, causal. The factorized linear-time form is linear attention (G4).
 *
 * Catalog paper 26: FAST — Factorizable Attention / Fastmax (Gerami et al. 2024).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4, headDim: 16, score: scale(1), mask: causal(),
 *   normalizer: polynomialNormalized({ degree: 2 }),
 * });
 * const { output } = applyAttention(spec, { query: fastmaxQueryKeyNorm(q), key: fastmaxQueryKeyNorm(k), value: v });
 * ```
 */
export const fastmaxEntry = attentionZooEntry({
  id: 'fastmax',
  mechanism: 'fastmax',
  paper: { id: 26, title: 'FAST — Factorizable Attention / Fastmax (Gerami et al. 2024)', group: 'G2' },
  description: 'Causal Fastmax (degree 2) on max-norm-normalized Q and K, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
