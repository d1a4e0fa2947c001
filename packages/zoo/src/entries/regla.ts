import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * ReGLA as causal gated linear attention (chunks of 8): feature maps φ_q(x) = exp(x − max_j x_j)
 * (each query's own max) and φ_k(x) = exp(x − max over every key and feature), the
 * variance-reduction scale c = 1/(e·√(d(e² − 1))) on the queries, the refined data-dependent gate
 * F_t = (1 − r_t) ⊙ g_t² + r_t ⊙ (1 − (1 − g_t)²) (g = σ(W_g x + b_g), r = σ(W_r x + b_r), their
 * pre-activations seeded inputs) in S_t = Diag(F_t) S_{t−1} + φ_k(k_t)ᵀ v_t, no denominator, and
 * LayerNorm of the merged heads.
 *
 * Catalog paper 22: ReGLA — Refining Gated Linear Attention.
 *
 * @example
 * ```ts
 * const spec = linearAttention({
 *   heads: 4, headDim: 16, featureMap: identity(),
 *   featureExpansion: expFeatures({ keyMax: 'sequence', queryScale: reglaScale(16) }),
 *   denominator: false, gated: true, outputNorm: { kind: 'layer', epsilon: 1e-5, across: 'heads' }, causal: true,
 * });
 * const { output } = applyLinearAttention(spec, { query, key, value, gate: reglaRefinedGate(gateLogits, refineLogits) });
 * ```
 */
export const reglaEntry = linearAttentionZooEntry({
  id: 'regla',
  mechanism: 'regla',
  paper: {
    id: 22,
    title: 'ReGLA — Refining Gated Linear Attention',
    group: 'G4',
  },
  description:
    'ReGLA: exp feature maps (query row max, key max over the sequence), scale c, the refined data-dependent gate F_t on the state, LayerNorm over the merged heads, causal chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
