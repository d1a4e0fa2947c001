import { input, type Node, SLICE_END, slice } from '@weft/ir';

/** The graph inputs `q`, `k` and `v`, each of `shape` (the catalog instances' and their tests' operands). */
export function qkvInputs(shape: readonly number[]): [Node, Node, Node] {
  return [input('q', shape), input('k', shape), input('v', shape)];
}

/** Positions [from, to) of `x` `[batch, heads, N, d]`. */
export function positionRange(x: Node, from: number, to: number): Node {
  return slice(x, [0, 0, from, 0], [SLICE_END, SLICE_END, to, SLICE_END]);
}
