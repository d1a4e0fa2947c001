import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Fastmax's linear form: queries and keys centred and divided by their largest token norm
 * (T = 1), then the paper's factorization of f(s) = 1 + s + s²/2 into degree-2 Taylor features
 * φ(x) = [1, x, vec(xxᵀ)/√2] (each pair a < b stored once, 153 features for d = 16), and linear
 * attention with the denominator Σ_l f(s_il) (ε 0: f ≥ 1/2) as a chunk sweep (chunks of 8) — the
 * O(N·d²·d_v) form of the `fastmax` entry's O(N²) one, on the same inputs and equal to it.
 *
 * Catalog paper 26: FAST — Factorizable Attention / Fastmax.
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: identity(), featureExpansion: taylorFeatures({ degree: 2 }),
 *   denominator: { epsilon: 0 }, causal: true, chunkSize: 8,
 * });
 * const { output } = applyLinearAttention(spec, { query: fastmaxQueryKeyNorm(q), key: fastmaxQueryKeyNorm(k), value: v });
 * ```
 */
export const fastmaxLinearEntry = linearAttentionZooEntry({
  id: 'fastmax-linear',
  mechanism: 'fastmax-linear',
  paper: {
    id: 26,
    title: 'FAST — Factorizable Attention / Fastmax (Gerami et al. 2024), linear form',
    group: 'G4',
  },
  description:
    'Causal Fastmax (degree 2) as linear attention over 153 Taylor features of the max-norm-normalized Q and K, chunk sweep with chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
