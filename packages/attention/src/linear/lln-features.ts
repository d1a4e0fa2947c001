import { div, exp, max, mean, mul, type Node, ShapeError, sqrt, sub } from '@weft/ir';
import { expectRows, type FeatureExpansion } from './feature-expansions.js';

/** The fitted constants of LLN's moment matching (catalog paper 17): σ̃² = (σ_q²σ_k² − b) / (2a). */
export const LLN_MOMENT_CONSTANTS = { a: 0.14855178144710912, b: -0.35487039130661086 } as const;

/**
 * Linear Log-Normal attention's feature maps (Nahshan et al. 2023, catalog paper 17): with
 * σ_q = std(q), σ_k = std(k) over the whole query and key tensors of the call (sample std, as
 * `torch.std`), σ̃ = √((σ_q²σ_k² − b)/(2a)), α = σ̃/σ_q, β = σ̃/σ_k:
 * φ(q) = exp(αq − max_d αq) (each token's own max), φ(k) = exp(βk − max_{n,d} βk) (the max over
 * the keys and features of each batch and head). Pair it with the denominator (ε 1e-8 in the
 * reference module). The statistics are the call's: a decoder keeps the prefill's α, β and key
 * max, which this map does not take (it is for full sequences).
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: identity(), featureExpansion: llnFeatures(), denominator: { epsilon: 1e-8 }, causal: true });
 * ```
 */
export function llnFeatures(): FeatureExpansion {
  return {
    name: 'lln',
    featureDim: (d) => d,
    expand(query, key, block) {
      expectRows(query, block, 'query', 'LLN');
      expectRows(key, block, 'key', 'LLN');
      const { a, b } = LLN_MOMENT_CONSTANTS;
      const varianceQ = sampleVariance(query, block, 'query');
      const varianceK = sampleVariance(key, block, 'key');
      const target = div(sub(mul(varianceQ, varianceK), b), 2 * a);
      const alpha = sqrt(div(target, varianceQ));
      const beta = sqrt(div(target, varianceK));
      const scaledQ = mul(query, alpha);
      const scaledK = mul(key, beta);
      const keyMax = max(max(scaledK, -1, { keepDims: true }), 2, { keepDims: true });
      return {
        query: exp(sub(scaledQ, max(scaledQ, -1, { keepDims: true }))),
        key: exp(sub(scaledK, keyMax)),
      };
    },
  };
}

/** Σ(x − x̄)² / (count − 1) over every element, as a `[1, 1, 1, 1]` tensor. */
function sampleVariance(x: Node, block: string, role: 'query' | 'key'): Node {
  const count = x.shape.reduce<number>(
    (product, dim) => product * (typeof dim === 'number' ? dim : Number.NaN),
    1,
  );
  if (!Number.isFinite(count) || count < 2)
    throw new ShapeError(`linear attention "${block}": LLN's moment matching needs a static ${role} shape`, {
      block,
      tensor: role,
      expected: 'static dims, 2+ elements',
      actual: `[${x.shape.join(', ')}]`,
    });
  const all = [0, 1, 2, 3];
  const centered = sub(x, mean(x, all, { keepDims: true }));
  return mul(mean(mul(centered, centered), all, { keepDims: true }), count / (count - 1));
}
