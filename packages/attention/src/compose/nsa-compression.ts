import { add, concat, matmul, mean, type Node, relu, reshape, SpecError, slice } from '@weft/ir';

/**
 * The weights of NSA's compression φ for one of K or V, given as tensors: a one-hidden-layer MLP
 * over the concatenated tokens of a block with an intra-block position embedding,
 * φ(x_{s..s+l−1}) = relu(vec(x_{s+m} + p_m)_{m<l} W₁) W₂.
 */
export interface NsaCompressionMlp {
  /** Intra-block position embedding p `[l, dim]`, added to the m-th token of every block. */
  readonly position: Node;
  /** First layer W₁ `[l·dim, hidden]` (row m·dim + c reads channel c of token m). */
  readonly hidden: Node;
  /** Second layer W₂ `[hidden, dim]`. */
  readonly output: Node;
}

/** The block geometry of NSA's compression: blocks of `length` tokens every `stride` tokens. */
export interface NsaCompressionGeometry {
  /** l, tokens per compressed block. */
  readonly length: number;
  /** d, positions between the starts of consecutive blocks (a divisor of l). */
  readonly stride: number;
}

/** Number of compressed blocks of a sequence of n tokens: ⌊(n − l)/d⌋ + 1. */
export function compressedBlockCount(n: number, geometry: NsaCompressionGeometry): number {
  return Math.floor((n - geometry.length) / geometry.stride) + 1;
}

/**
 * NSA's compressed keys or values: block i covers tokens i·d … i·d + l − 1 of `x`
 * `[batch, heads, n, dim]` (n a multiple of d), and is φ of them: their mean without `mlp` (the
 * simplification of the fla implementations), the MLP of {@link NsaCompressionMlp} with it.
 * Overlapping blocks are gathered as l/d consecutive chunks of d tokens (slices and a concat).
 */
export function compressBlocks(
  x: Node,
  geometry: NsaCompressionGeometry,
  mlp: NsaCompressionMlp | undefined,
  context: { readonly block: string; readonly tensor: string },
): Node {
  const { length, stride } = geometry;
  const [batch, heads, n, dim] = x.shape as [number, number, number, number];
  const count = compressedBlockCount(n, geometry);
  const chunks = reshape(x, [batch, heads, n / stride, stride, dim]);
  const parts = Array.from({ length: length / stride }, (_, m) =>
    slice(chunks, [0, 0, m, 0, 0], [batch, heads, m + count, stride, dim]),
  );
  const blocks = parts.length === 1 ? parts[0]! : concat(parts, 3); // [b, h, count, l, dim]
  if (mlp === undefined) return mean(blocks, 3);
  checkWeight(mlp.position, [length, dim], context, 'position');
  const hiddenWidth = checkWeight(mlp.hidden, [length * dim, undefined], context, 'hidden');
  checkWeight(mlp.output, [hiddenWidth, dim], context, 'output');
  const positioned = add(blocks, reshape(mlp.position, [1, 1, 1, length, dim]));
  const flat = reshape(positioned, [batch, heads, count, length * dim]);
  return matmul(relu(matmul(flat, mlp.hidden)), mlp.output);
}

/** Checks a weight's static shape (undefined: any size); returns its last dim. */
function checkWeight(
  weight: Node,
  expected: readonly (number | undefined)[],
  context: { readonly block: string; readonly tensor: string },
  part: string,
): number {
  const shape = weight?.shape;
  const ok =
    Array.isArray(shape) &&
    shape.length === expected.length &&
    shape.every((size, axis) => typeof size === 'number' && (expected[axis] ?? size) === size);
  if (!ok)
    throw new SpecError(
      `nativeSparseAttention "${context.block}": compression.${context.tensor}.${part} has the wrong shape`,
      {
        block: context.block,
        tensor: `compression.${context.tensor}.${part}`,
        expected: `[${expected.map((size) => size ?? 'any').join(', ')}]`,
        actual: Array.isArray(shape) ? `[${shape.map(String).join(', ')}]` : String(shape),
      },
    );
  return shape[shape.length - 1] as number;
}
