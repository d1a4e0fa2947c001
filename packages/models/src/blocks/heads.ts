import { type Node, permute, reshape } from '@weft/ir';

/** `[B, S, n·d]` → `[B, n, S, d]`: the head layout the attention op takes. */
export function splitHeads(x: Node, heads: number, headDim: number): Node {
  const [batch, seq] = x.shape as [Node['shape'][number], Node['shape'][number]];
  return permute(reshape(x, [batch, seq, heads, headDim]), [0, 2, 1, 3]);
}

/** `[B, n, S, d]` → `[B, S, n·d]`: heads side by side again, for the output projection. */
export function mergeHeads(x: Node): Node {
  const [batch, heads, seq, headDim] = x.shape as [
    Node['shape'][number],
    number,
    Node['shape'][number],
    number,
  ];
  return reshape(permute(x, [0, 2, 1, 3]), [batch, seq, heads * headDim]);
}
