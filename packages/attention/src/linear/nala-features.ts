import { expectRows, type FeatureExpansion } from './feature-expansions.js';
import { nalaKeyRows, nalaQueryRows } from './nala-rows.js';

/**
 * NaLaFormer's norm-aware feature maps (Meng et al. 2025, catalog paper 16), each row of d_k
 * entries → 2·d_k features, a sign split so that only same-sign coordinates interact:
 * - query: with ‖q‖ the row's norm and the power p(q) = 3(0.5 + tanh ‖q‖) ∈ [1.5, 4.5),
 *   φ(q) = [(ReLU(q)/‖q‖)^p ; (ReLU(−q)/‖q‖)^p] — the direction is normalized and the norm
 *   sharpens it through the power;
 * - key: φ(k) = [ReLU(k³) ; ReLU(−k³)].
 * Pair it with `identity()` and the denominator: the reference's `z_i = 1/(φ_q,i · mean_j φ_k,j + 1e−6)`
 * over N keys is the op's sum form with ε = N·1e−6. Each row is mapped alone, so the causal sweep
 * and the decode step hold (the causal language variant: prefix sums). The vision block — 2-D RoPE
 * on the numerator's features only, LePE, LayerNorm ⊙ SiLU gate — is `nalaVisionBlock` (the
 * op shares φ between numerator and denominator, so the block builds the denominator itself).
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: identity(), featureExpansion: nalaFeatures(), denominator: { epsilon: 24e-6 } });
 * ```
 */
export function nalaFeatures(): FeatureExpansion {
  return {
    name: 'nala',
    featureDim: (d) => 2 * d,
    expand(query, key, block) {
      expectRows(query, block, 'query', 'NaLaFormer');
      expectRows(key, block, 'key', 'NaLaFormer');
      return { query: nalaQueryRows(query), key: nalaKeyRows(key) };
    },
  };
}
