import { type Node, permute, reshape } from '@weft/ir';

/** `[batch, n, heads·headDim]` → `[batch, heads, n, headDim]`. */
export function splitHeads(x: Node, heads: number): Node {
  const [batch, rows, width] = x.shape as [number, number, number];
  return permute(reshape(x, [batch, rows, heads, width / heads]), [0, 2, 1, 3]);
}

/** `[batch, heads, n, headDim]` → `[batch, n, heads·headDim]` (concatenated heads). */
export function mergeHeads(x: Node): Node {
  const [batch, heads, rows, headDim] = x.shape as [number, number, number, number];
  return reshape(permute(x, [0, 2, 1, 3]), [batch, rows, heads * headDim]);
}
