import { div, equal, max, mul, type Node, rsqrt, sub, sum, where } from '@weft/ir';

/**
 * FAST / Fastmax's input normalization (Gerami et al. 2024, catalog #26, `normalize=1` of the
 * reference code), as primitive IR ops on `[batch, heads, length, dim]` queries or keys: centre
 * each token over the features, x ← x − mean_d x, then divide by the largest token norm of its
 * (batch, head), x ← x / max_n ‖x_n‖₂. Every score q·k then lies in [−1, 1], so the degree-1
 * polynomial 1 + s stays ≥ 0, and the paper uses T = 1 (`score: scale(1)`). The max runs over all
 * tokens of the call, as in the reference code (also under a causal mask). An all-zero (batch,
 * head) stays zero.
 *
 * @example
 * ```ts
 * const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 24, 16])) as [Node, Node, Node];
 * const spec = attention({ heads: 4, headDim: 16, score: scale(1), mask: causal(), normalizer: polynomialNormalized({ degree: 2 }) });
 * const { output } = applyAttention(spec, { query: fastmaxQueryKeyNorm(q), key: fastmaxQueryKeyNorm(k), value: v });
 * ```
 */
export function fastmaxQueryKeyNorm(x: Node): Node {
  const dim = x.shape[3] as number;
  const centered = sub(x, div(sum(x, -1, { keepDims: true }), dim));
  const squaredNorms = sum(mul(centered, centered), -1, { keepDims: true });
  const largest = max(squaredNorms, 2, { keepDims: true });
  return mul(centered, where(equal(largest, 0), 0, rsqrt(where(equal(largest, 0), 1, largest))));
}
