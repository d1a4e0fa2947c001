import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Causal linear attention with φ = ELU + 1 and a denominator,
 * o_i = φ(q_i)ᵀ S_i / (φ(q_i)ᵀ z_i + 1e-6), S_i = Σ_{j≤i} φ(k_j) v_jᵀ, z_i = Σ_{j≤i} φ(k_j), as
 * one chunk-sweep kernel (chunks of 8: quadratic inside a chunk, state passed between chunks). The
 * linear transformer's causal form (Katharopoulos et al. 2020, not a numbered catalog paper); the
 * catalog gives the same prefix-sum form for Performer.
 *
 * Catalog paper 78: Performer — FAVOR+ (causal linear attention by prefix sums S_t, z_t).
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: elu1(), causal: true, chunkSize: 8 });
 * const { output } = applyLinearAttention(spec, { query, key, value });
 * ```
 */
export const linearTransformerElu1CausalEntry = linearAttentionZooEntry({
  id: 'linear-transformer-elu1-causal',
  mechanism: 'linear-transformer-elu1-causal',
  paper: { id: 78, title: 'Performer — FAVOR+', group: 'G4' },
  description:
    'Causal ELU+1 linear attention with denominator (ε 1e-6), chunk sweep with chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
