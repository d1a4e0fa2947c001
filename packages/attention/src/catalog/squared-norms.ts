import { mul, type Node, sum } from '@weft/ir';

/** ‖x‖² over the last axis, `[batch, heads, length, dim]` → `[batch, heads, length]`: a score mod's norm tensor. */
export function squaredNorms(x: Node): Node {
  return sum(mul(x, x), [x.rank - 1]);
}
