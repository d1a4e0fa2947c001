import {
  constant,
  isSymbolic,
  mapElements,
  max,
  type Node,
  pad,
  reshape,
  SpecError,
  select,
  variable,
} from '@weft/ir';

/**
 * Which tiles of a mask tensor keep any pair: `mask` `[…, queries, keys]` (non-zero keeps) →
 * `[…, ⌈queries/size⌉, ⌈keys/size⌉]` i32, 1 where a block of `size` × `size` pairs keeps one (the
 * edges zero-padded). Graph ops that run on the device before the attention kernel, which skips the
 * key tiles whose entry is 0 (see `maskFrom`'s `skipEmptyTiles`).
 *
 * @example
 * ```ts
 * const tiles = maskTileTable(input('keep', [1, 4, 256, 256], 'i32'), 32); // [1, 4, 8, 8]
 * ```
 */
export function maskTileTable(mask: Node, size: number): Node {
  const shape = mask.shape.map((dim, axis) => {
    if (!isSymbolic(dim)) return dim;
    throw new SpecError('maskTileTable: the mask tensor needs static sizes', {
      dimension: axis,
      expected: 'a static dim',
      actual: `symbolic dim ${dim.name}`,
    });
  });
  if (shape.length < 2)
    throw new SpecError('maskTileTable: the mask tensor must be [..., queries, keys]', {
      expected: 'rank >= 2',
      actual: `rank ${shape.length}`,
    });
  const value = variable('$0', mask.dtype);
  const kept = mapElements(
    [mask],
    select(mask.dtype === 'bool' ? value : value.ne(0), constant(1, 'i32'), constant(0, 'i32')),
  );
  const lead = shape.slice(0, -2);
  const [queries, keys] = shape.slice(-2) as [number, number];
  const rows = Math.ceil(queries / size);
  const columns = Math.ceil(keys / size);
  const padded = pad(
    kept,
    shape.map(() => 0),
    [...lead.map(() => 0), rows * size - queries, columns * size - keys],
  );
  const blocks = reshape(padded, [...lead, rows, size, columns, size]);
  return max(blocks, [lead.length + 1, lead.length + 3]);
}
