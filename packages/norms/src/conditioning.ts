import { add, formatShape, matmul, type Node, param, reshape, ShapeError, SLICE_END, slice } from '@weft/ir';
import { staticDim } from './norm-checks.js';

/**
 * Per-sample modulation vectors computed from a conditioning vector by one linear layer,
 * `[m₀, m₁, ...] = c W + b`, with `W` (`${prefix}.weight`, `[d_c, k·C]`) and `b` (`${prefix}.bias`,
 * `[k·C]`) split into `k` chunks of `C` in order. One matmul for all chunks keeps the conditioning
 * to a single kernel. Returns the chunks, each `[B, C]`.
 */
export function linearChunks(
  layer: string,
  prefix: string,
  condition: Node,
  chunks: number,
  channels: number,
): Node[] {
  if (condition.rank !== 2) {
    throw new ShapeError('a conditioning vector must be [B, features]', {
      block: layer,
      tensor: 'condition',
      expected: 'rank 2',
      actual: formatShape(condition.shape),
    });
  }
  const width = staticDim(layer, 'condition', condition.shape[1]!, 1);
  const weight = param(`${prefix}.weight`, [width, chunks * channels], condition.dtype);
  const bias = param(`${prefix}.bias`, [chunks * channels], condition.dtype);
  const projected = add(matmul(condition, weight), bias);
  return Array.from({ length: chunks }, (_, chunk) =>
    slice(projected, [0, chunk * channels], [SLICE_END, (chunk + 1) * channels]),
  );
}

/** Views per-sample vectors `[B, C]` as `[B, 1, ..., 1, C]` to broadcast over the tokens of a rank-`rank` `[B, ..., C]`. */
export function tokenView(perSample: Node, rank: number): Node {
  const middle = new Array<number>(rank - 2).fill(1);
  return middle.length === 0
    ? perSample
    : reshape(perSample, [perSample.shape[0]!, ...middle, perSample.shape[1]!]);
}
