import { constant, mapElements, type Node, sum, where } from '@weft/ir';

/** Kept keys per row, `[B, H, Nq, 1]`. */
export function keptCount(score: Node, keep: Node | undefined): Node {
  return sum(keep === undefined ? mapElements([score], constant(1)) : where(keep, 1, 0), -1, {
    keepDims: true,
  });
}
