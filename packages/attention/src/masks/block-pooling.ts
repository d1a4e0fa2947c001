import { broadcastTo, isSymbolic, mean, type Node, reshape, SpecError } from '@weft/ir';

/** Mean of each block of `size` rows: `[b, h, N, d]` → `[b, h, N/size, d]`. */
export function blockMean(x: Node, size: number): Node {
  const [batch, heads, length, dim] = x.shape as number[];
  return mean(reshape(x, [batch!, heads!, length! / size, size, dim!]), 3);
}

/** Rows of the KV heads `[b, kvHeads, n, d]`, repeated for the query heads of each group (GQA). */
export function perQueryHead(rows: Node, heads: number): Node {
  const [batch, kvHeads, length, dim] = rows.shape as number[];
  if (kvHeads === heads) return rows;
  const group = heads / kvHeads!;
  const repeated = broadcastTo(reshape(rows, [batch!, kvHeads!, 1, length!, dim!]), [
    batch!,
    kvHeads!,
    group,
    length!,
    dim!,
  ]);
  return reshape(repeated, [batch!, heads, length!, dim!]);
}

/** The static shape of a `[batch, heads, N, headDim]` node; `owner` names the function in errors. */
export function staticShape4(owner: string, node: Node, what: string): [number, number, number, number] {
  if (node.rank !== 4)
    throw new SpecError(`${owner}: ${what} must be [batch, heads, N, headDim]`, {
      expected: 'rank 4',
      actual: `rank ${node.rank}`,
    });
  return node.shape.map((dim, axis) => {
    if (!isSymbolic(dim)) return dim;
    throw new SpecError(`${owner}: ${what} needs static sizes`, {
      tensor: what,
      dimension: axis,
      expected: 'a static dim',
      actual: `symbolic dim ${dim.name}`,
    });
  }) as [number, number, number, number];
}
