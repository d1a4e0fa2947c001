import { div, exp, max, mul, SpecError, sub, sum } from '@weft/ir';
import { expectRows, type FeatureExpansion } from './feature-expansions.js';

/**
 * Efficient Attention's normalizers ρ_q, ρ_k (Shen et al. 2021, catalog paper 111),
 * E(Q, K, V) = ρ_q(Q)(ρ_k(K)ᵀV), as a feature expansion for the non-causal linear-attention op
 * (identity φ, no denominator):
 * - `softmax` (default): ρ_q = softmax of each query over its d_k features, ρ_k = softmax of each
 *   key feature over the n positions (per batch and head);
 * - `scaling`: ρ_q(Y) = ρ_k(Y) = Y/√n (n = the static key length).
 * ρ_k reads every key of the call, so the map is non-causal (no chunked or decode form).
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: identity(), featureExpansion: efficientAttentionFeatures(), denominator: false });
 * ```
 * @throws SpecError for an unknown variant; the expansion throws a ShapeError for rows that are not `[B, H, N, d]`.
 */
export function efficientAttentionFeatures(variant: 'softmax' | 'scaling' = 'softmax'): FeatureExpansion {
  if (variant !== 'softmax' && variant !== 'scaling')
    throw new SpecError('efficientAttentionFeatures: variant must be "softmax" or "scaling"', {
      dimension: 'variant',
      expected: 'softmax, scaling',
      actual: String(variant),
    });
  return {
    name: `efficient-attention(${variant})`,
    featureDim: (d) => d,
    expand(query, key, block) {
      expectRows(query, block, 'query', 'efficient-attention');
      expectRows(key, block, 'key', 'efficient-attention');
      if (variant === 'scaling') {
        const n = key.shape[2];
        if (typeof n !== 'number')
          throw new SpecError(`linear attention "${block}": the scaling variant needs a static key length`, {
            block,
            tensor: 'key',
            dimension: 2,
            expected: 'a number',
            actual: String(n),
          });
        return { query: mul(query, 1 / Math.sqrt(n)), key: mul(key, 1 / Math.sqrt(n)) };
      }
      // Softmax along an axis with the max subtracted (it cancels in the ratio).
      const softmaxAlong = (x: typeof query, axis: number) => {
        const e = exp(sub(x, max(x, axis, { keepDims: true })));
        return div(e, sum(e, axis, { keepDims: true }));
      };
      return { query: softmaxAlong(query, 3), key: softmaxAlong(key, 2) };
    },
  };
}
