import {
  div,
  exp,
  literal,
  matmul,
  max,
  mean,
  mul,
  type Node,
  permute,
  reshape,
  SpecError,
  sub,
  sum,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';

/** Options of {@link nystromformerAttention}. */
export interface NystromformerOptions {
  /** m, the number of landmarks; it must divide the sequence length n. */
  readonly landmarks: number;
  /** Iterations of the Moore–Penrose iteration for A⁺. Default 6, the paper's. */
  readonly iterations?: number;
  /** Name of the block, prefixing its two attention kernels. Default `'nystromformer'`. */
  readonly name?: string;
}

/** The nodes of {@link nystromformerAttention}. */
export interface NystromformerResult {
  /** F̃ · Z · (B̃ V), `[batch, heads, n, valueDim]`. */
  readonly output: Node;
  /** Z ≈ A⁺ after the iterations, `[batch, heads, m, m]`. */
  readonly pseudoInverse: Node;
}

/**
 * Nyströmformer's self-attention (Xiong et al., catalog paper 57), without the optional
 * depthwise-convolution skip on V. Landmarks are segment means: Q̃_j, K̃_j average Q and K over the
 * j-th of m equal segments. With the three softmax kernels F̃ = softmax(Q K̃ᵀ/√d) `[n, m]`,
 * A = softmax(Q̃ K̃ᵀ/√d) `[m, m]` and B̃ = softmax(Q̃ Kᵀ/√d) `[m, n]`, out = F̃ · A⁺ · (B̃ V), A⁺
 * by the paper's iteration (its eq. 14): Z₀ = Aᵀ / (‖A‖₁ ‖A‖∞), per head;
 * Z ← ¼ Z (13I − AZ (15I − AZ (7I − AZ))), four matmuls a step. B̃ V and F̃ · (Z B̃ V) are fused
 * softmax attention kernels (m queries over n keys, n queries over m keys), so no n×m matrix is
 * stored; A is formed explicitly, being m×m.
 *
 * Shapes: `query`, `key` `[batch, heads, n, d]`, `value` `[batch, heads, n, dv]`, static.
 *
 * @example
 * ```ts
 * const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, [1, 2, 32, 16])) as [Node, Node, Node];
 * const { output } = nystromformerAttention(q, k, v, { landmarks: 8 });
 * ```
 */
export function nystromformerAttention(
  query: Node,
  key: Node,
  value: Node,
  options: NystromformerOptions,
): NystromformerResult {
  const name = options.name ?? 'nystromformer';
  const { landmarks } = options;
  const iterations = options.iterations ?? 6;
  const [batch, heads, length, headDim] = checkedShape(query, 'query', name);
  checkedShape(key, 'key', name);
  const [, , , valueDim] = checkedShape(value, 'value', name);
  if (!Number.isInteger(landmarks) || landmarks < 1 || length % landmarks !== 0)
    throw new SpecError(`nystromformerAttention "${name}": landmarks must divide the sequence length`, {
      block: name,
      expected: `a divisor of ${length}`,
      actual: landmarks,
    });
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new SpecError(`nystromformerAttention "${name}": iterations must be an integer >= 1`, {
      block: name,
      actual: iterations,
    });
  const segmentMeans = (x: Node) =>
    mean(reshape(x, [batch, heads, landmarks, length / landmarks, headDim]), [3]);
  const landmarkQuery = segmentMeans(query);
  const landmarkKey = segmentMeans(key);
  const spec = (part: string) => attention({ heads, headDim, valueDim, name: `${name}.${part}` });
  // B̃ V: m landmark queries attend to all n keys.
  const landmarkValues = applyAttention(spec('landmarkQueries'), { query: landmarkQuery, key, value }).output;
  const kernel = rowSoftmax(mul(matmul(landmarkQuery, landmarkKey, { transposeB: true }), headDim ** -0.5));
  const pseudoInverse = iterativePseudoInverse(kernel, landmarks, iterations);
  const mixed = matmul(pseudoInverse, landmarkValues);
  // F̃ · (Z B̃ V): every query attends to the m landmark keys, whose values are Z B̃ V.
  const output = applyAttention(spec('landmarkKeys'), { query, key: landmarkKey, value: mixed }).output;
  return { output, pseudoInverse };
}

/** softmax over the last axis, stabilised by the row max. */
function rowSoftmax(x: Node): Node {
  const axis = x.rank - 1;
  const shifted = exp(sub(x, max(x, [axis], { keepDims: true })));
  return div(shifted, sum(shifted, [axis], { keepDims: true }));
}

/**
 * The paper's iteration for A⁺ (its eq. 14, from Razavi et al.): Z₀ = Aᵀ / (‖A‖₁ ‖A‖∞) with the
 * norms per matrix (max column sum, max row sum), then Z ← ¼ Z (13I − AZ (15I − AZ (7I − AZ))).
 */
function iterativePseudoInverse(matrix: Node, size: number, iterations: number): Node {
  const rank = matrix.rank;
  const identity = (scale: number) =>
    literal(
      Array.from({ length: size * size }, (_, i) => (Math.floor(i / size) === i % size ? scale : 0)),
      [size, size],
    );
  const maxColumnSum = max(sum(matrix, [rank - 2], { keepDims: true }), [rank - 1], { keepDims: true });
  const maxRowSum = max(sum(matrix, [rank - 1], { keepDims: true }), [rank - 2], { keepDims: true });
  let inverse = div(permute(matrix, [0, 1, 3, 2]), mul(maxColumnSum, maxRowSum));
  for (let step = 0; step < iterations; step++) {
    const product = matmul(matrix, inverse);
    const inner = matmul(product, sub(identity(7), product));
    const middle = matmul(product, sub(identity(15), inner));
    inverse = mul(matmul(inverse, sub(identity(13), middle)), 0.25);
  }
  return inverse;
}

function checkedShape(node: Node, tensor: string, name: string): [number, number, number, number] {
  if (node.rank !== 4 || !node.shape.every((size) => typeof size === 'number'))
    throw new SpecError(
      `nystromformerAttention "${name}": ${tensor} must be [batch, heads, n, dim], static`,
      {
        block: name,
        tensor,
        expected: '[batch, heads, n, dim] with static sizes',
        actual: `[${node.shape.map(String).join(', ')}]`,
      },
    );
  return node.shape as [number, number, number, number];
}
