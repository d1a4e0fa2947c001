import { add, concat, mul, type Node, neg, reshape, slice } from '@weft/ir';

/**
 * The vision references' `theta_shift`: x·cos + rot(x)·sin over rows `[B, n, N, D]` with rot pairing
 * (2i, 2i + 1) → (−x_{2i+1}, x_{2i}); `sin` and `cos` are `[N, D]` tables (MALA's and NaLaFormer's 2-D RoPE).
 */
export function rotatePairs(rows: Node, sin: Node, cos: Node): Node {
  const [batch, heads, positions, dim] = rows.shape as [number, number, number, number];
  const pairs = reshape(rows, [batch, heads, positions, dim / 2, 2]);
  const even = slice(pairs, [0, 0, 0, 0, 0], [batch, heads, positions, dim / 2, 1]);
  const odd = slice(pairs, [0, 0, 0, 0, 1], [batch, heads, positions, dim / 2, 2]);
  const rotated = reshape(concat([neg(odd), even], 4), [batch, heads, positions, dim]);
  return add(mul(rows, cos), mul(rotated, sin));
}
