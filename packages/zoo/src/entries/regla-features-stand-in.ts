import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * A stand-in for ReGLA: its feature maps φ_q(x) = exp(x − max_j x_j) (each query's own max) and
 * φ_k(x) = exp(x − max over every key and feature), its variance-reduction scale
 * c = 1/(e·√(d(e² − 1))) on the queries, no denominator, and LayerNorm of the merged heads in its
 * place, as causal linear attention (chunks of 8). ReGLA's refined data-dependent gate
 * F_t = (1 − r_t) ⊙ g_t² + r_t ⊙ (1 − (1 − g_t)²) on the state is missing (the op has constant
 * decays only), hence a stand-in.
 *
 * Catalog paper 22: ReGLA — Refining Gated Linear Attention (feature maps and normalization only).
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: identity(),
 *   featureExpansion: expFeatures({ keyMax: 'sequence', queryScale: reglaScale(16) }),
 *   denominator: false, outputNorm: { kind: 'layer', epsilon: 1e-5, across: 'heads' }, causal: true,
 * });
 * ```
 */
export const reglaFeaturesStandInEntry = linearAttentionZooEntry({
  id: 'regla-features-stand-in',
  mechanism: 'regla-features-stand-in',
  paper: {
    id: 22,
    title: 'ReGLA — Refining Gated Linear Attention (feature maps and LayerNorm; gate not built)',
    group: 'G4',
  },
  description:
    'Stand-in for ReGLA: its exp feature maps (query row max, key max over the sequence), scale c and LayerNorm over the merged heads, no gate, causal chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
