import { mapElements, type Node, variable } from '@weft/ir';

/**
 * ReGLA's refined forget gate (Lu et al. 2025, catalog paper 22), elementwise over two
 * `[B, H, N, d_k]` tensors of pre-activations (W_g x_t + b_g and W_r x_t + b_r, computed by the
 * caller's projections): g = σ(gateLogits), r = σ(refineLogits),
 * F = (1 − r) ⊙ g² + r ⊙ (1 − (1 − g)²), in (0, 1). One fused elementwise kernel; pass the result
 * as the `gate` of a `gated` linear-attention spec.
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: identity(), gated: true, causal: true, denominator: false });
 * const gate = reglaRefinedGate(input('g', [1, 4, 24, 16]), input('r', [1, 4, 24, 16]));
 * const { output } = applyLinearAttention(spec, { query, key, value, gate });
 * ```
 */
export function reglaRefinedGate(gateLogits: Node, refineLogits: Node): Node {
  const g = variable('$0').apply('sigmoid');
  const r = variable('$1').apply('sigmoid');
  const oneMinusG = g.neg().add(1);
  const refined = r
    .neg()
    .add(1)
    .mul(g.mul(g))
    .add(r.mul(oneMinusG.mul(oneMinusG).neg().add(1)));
  return mapElements([gateLogits, refineLogits], refined);
}
