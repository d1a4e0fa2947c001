import { isSymbolic, type Node, ShapeError } from '@weft/ir';

/**
 * The static size of axis `axis` of `x` (negative counts from the end). Throws a `ShapeError`
 * naming `block` when the axis is symbolic or missing.
 */
export function staticDimOf(x: Node, axis: number, block: string): number {
  const index = axis < 0 ? x.rank + axis : axis;
  const dim = x.shape[index];
  if (dim === undefined || isSymbolic(dim)) {
    throw new ShapeError(`${block}: axis ${index} must have a static size`, {
      block,
      dimension: index,
      expected: 'a static size',
      actual: dim === undefined ? `rank ${x.rank}` : `${dim.name} (symbolic)`,
    });
  }
  return dim;
}
