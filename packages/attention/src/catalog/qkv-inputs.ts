import { input, type Node } from '@weft/ir';

/** The graph inputs `q`, `k` and `v`, each of `shape` (the catalog instances' and their tests' operands). */
export function qkvInputs(shape: readonly number[]): [Node, Node, Node] {
  return [input('q', shape), input('k', shape), input('v', shape)];
}
