import {
  add,
  type Dim,
  div,
  equal,
  mapElements,
  matmul,
  mul,
  type Node,
  reshape,
  sum,
  variable,
  where,
} from '@weft/ir';
import type { PLaplacianAttrs } from './p-laplacian-attrs.js';

/** The operands of {@link decomposePLaplacian}, all as graph nodes. */
export interface PLaplacianOperands {
  /** Softmax weights A of the kept scores, `[B, H, Nq, Nk]` (masked keys 0). */
  readonly probabilities: Node;
  /** Value rows, gathered to the query heads: `[B, H, Nk, dv]`. */
  readonly value: Node;
  /** Feature rows x_i, `[B, H, Nq, dv]`. */
  readonly features: Node;
  /** p per row, `[B, H, Nq, 1]`. */
  readonly p: Node;
  /** μ per row, `[B, H, Nq, 1]`. */
  readonly mu: Node;
}

/**
 * The p-Laplacian output as primitive ops: the squared distances ‖x_i − v_j‖² on the
 * `[B, H, Nq, Nk, dv]` grid, M = A·(d² + ε)^{(p−2)/2}, α = 1/(Σ_j M + 2μ/p) (0 where the
 * denominator is 0), O = α·(M·V) + (c·μ/p)·α·x. Like the rest of the decomposition it materializes
 * the N×N weights (and here the N×N×dv differences).
 */
export function decomposePLaplacian(normalizer: PLaplacianAttrs, operands: PLaplacianOperands): Node {
  const { probabilities, value, features, p, mu } = operands;
  const [batch, heads, queries, valueDim] = features.shape as [Dim, Dim, Dim, Dim];
  const keys = value.shape[2]!;
  const rows = reshape(features, [batch, heads, queries, 1, valueDim]);
  const columns = reshape(value, [batch, heads, 1, keys, valueDim]);
  const difference = variable('$0').sub(variable('$1'));
  const squared = sum(mapElements([rows, columns], difference.mul(difference)), -1);
  const distanceFactor = mapElements(
    [squared, p],
    variable('$0').add(normalizer.epsilon).pow(variable('$1').sub(2).div(2)),
  );
  const m = mul(probabilities, distanceFactor);
  const anchor = mapElements([mu, p], variable('$0').mul(2).div(variable('$1')));
  const denominator = add(sum(m, -1, { keepDims: true }), anchor);
  const alpha = where(equal(denominator, 0), 0, div(1, where(equal(denominator, 0), 1, denominator)));
  const selfWeight = mul(
    mapElements([mu, p], variable('$0').mul(normalizer.anchorScale).div(variable('$1'))),
    alpha,
  );
  return add(mul(alpha, matmul(m, value)), mul(selfWeight, features));
}
