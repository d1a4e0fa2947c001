import {
  add,
  conv2d,
  exp,
  gelu,
  matmul,
  mean,
  mul,
  type Node,
  param,
  permute,
  reshape,
  rsqrt,
  SpecError,
  sub,
  sum,
} from '@weft/ir';
import { type NewtonSchulzOptions, newtonSchulzInverse } from './newton-schulz-inverse.js';

/** Options of {@link softNystromAttention}. */
export interface SoftNystromOptions extends NewtonSchulzOptions {
  /** The token grid `[height, width]`: the N = height·width tokens in row-major order. */
  readonly grid: readonly [number, number];
  /** Landmark stride s: a s×s convolution with stride s gives (height/s)·(width/s) landmarks. */
  readonly ratio: number;
  /**
   * Kernel size k of the depthwise k×k convolution of V added to the output (the reference's
   * `use_conv`): one filter per head, `${name}.valueConv.weight` `[heads, 1, k, k]`, shared by the
   * value dims, zero padding (k − 1)/2, no bias. Odd; 0 leaves it out. Default 3, the reference
   * blocks' `conv_size`.
   */
  readonly valueConv?: number;
  /**
   * Name prefixing the parameters (`${name}.landmarkConv.weight`, `${name}.landmarkNorm.gamma`,
   * `.beta`, `${name}.valueConv.weight`). Default `'soft'`.
   */
  readonly name?: string;
}

/** The nodes of {@link softNystromAttention}. */
export interface SoftNystromResult {
  /** A · B⁺ · (Aᵀ V) plus the depthwise convolution of V (when on), `[batch, heads, N, valueDim]`. */
  readonly output: Node;
  /** B⁺ by Newton–Schulz, `[batch, heads, m, m]`. */
  readonly pseudoInverse: Node;
}

/**
 * SOFT's softmax-free attention in its Nyström form (Lu et al., "SOFT: Softmax-free Transformer
 * with Linear Complexity", catalog paper 83, `models/softmax_free_transformer.py`), with K tied to Q:
 * Q̂ = Q / d^(1/4); landmarks Q̃ = GELU(LayerNorm(Conv2d_{s×s, stride s}(Q̂ as a d-channel grid)))
 * (no conv bias; LayerNorm over d with ε = 1e-5); G(a, b) = exp(−½‖a − b‖²); A = G(Q̂, Q̃) `[N, m]`,
 * B = G(Q̃, Q̃) `[m, m]`; out = A · B⁺ · (Aᵀ V) + DWConv_{k×k}(V), with B⁺ from
 * {@link newtonSchulzInverse} and the depthwise convolution of each head's V over the token grid
 * (`valueConv`, on by default as in the reference blocks). Built from IR ops only (convs, row
 * statistics, batched matmuls): a dozen kernels plus two matmuls per Newton step.
 *
 * Shapes: `query` `[batch, heads, N, d]`, `value` `[batch, heads, N, dv]`, N = height·width.
 *
 * @example
 * ```ts
 * const { output } = softNystromAttention(input('q', [1, 2, 36, 16]), input('v', [1, 2, 36, 16]), { grid: [6, 6], ratio: 2 });
 * ```
 */
export function softNystromAttention(
  query: Node,
  value: Node,
  options: SoftNystromOptions,
): SoftNystromResult {
  const name = options.name ?? 'soft';
  const [height, width] = options.grid;
  const { ratio } = options;
  const [batch, heads, tokens, dim] = query.shape as [number, number, number, number];
  const staticShape = query.shape.every((size) => typeof size === 'number') && query.rank === 4;
  if (!staticShape || tokens !== height * width)
    throw new SpecError(
      `softNystromAttention "${name}": query must be [batch, heads, height·width, d], static`,
      {
        block: name,
        tensor: 'query',
        expected: `[batch, heads, ${height * width}, d]`,
        actual: `[${query.shape.map(String).join(', ')}]`,
      },
    );
  if (!Number.isInteger(ratio) || ratio < 2 || height % ratio !== 0 || width % ratio !== 0)
    throw new SpecError(`softNystromAttention "${name}": ratio must be an integer >= 2 dividing the grid`, {
      block: name,
      expected: `a divisor >= 2 of ${height} and ${width}`,
      actual: ratio,
    });
  const landmarks = (height / ratio) * (width / ratio);
  const scaled = mul(query, dim ** -0.25);
  // [B, H, N, d] → [B·H, d, height, width]: the conv sees the head dim as channels.
  const grid = permute(reshape(scaled, [batch * heads, height, width, dim]), [0, 3, 1, 2]);
  const pooled = conv2d(grid, param(`${name}.landmarkConv.weight`, [dim, dim, ratio, ratio]), undefined, {
    stride: ratio,
  });
  const tokensFirst = reshape(permute(reshape(pooled, [batch * heads, dim, landmarks]), [0, 2, 1]), [
    batch,
    heads,
    landmarks,
    dim,
  ]);
  const landmark = gelu(layerNorm(tokensFirst, `${name}.landmarkNorm`, dim));
  const queryToLandmark = gaussianKernel(scaled, landmark);
  const pseudoInverse = newtonSchulzInverse(gaussianKernel(landmark, landmark), options);
  const landmarkValues = matmul(queryToLandmark, value, { transposeA: true });
  const attended = matmul(matmul(queryToLandmark, pseudoInverse), landmarkValues);
  const kernelSize = options.valueConv ?? 3;
  const output =
    kernelSize === 0 ? attended : add(attended, valueConvolution(value, name, options.grid, kernelSize));
  return { output, pseudoInverse };
}

/**
 * SOFT's depthwise convolution of V: each head's `[height, width]` grid of every value dim is
 * convolved with that head's k×k filter (the reference's `Conv2d(heads, heads, k, groups=heads)` on
 * V laid out `[batch·dv, heads, height, width]`), zero-padded to keep the grid size.
 */
function valueConvolution(
  value: Node,
  name: string,
  grid: readonly [number, number],
  kernelSize: number,
): Node {
  const [height, width] = grid;
  const [batch, heads, tokens, valueDim] = value.shape as [number, number, number, number];
  const staticShape = value.rank === 4 && value.shape.every((size) => typeof size === 'number');
  if (!staticShape || tokens !== height * width)
    throw new SpecError(
      `softNystromAttention "${name}": value must be [batch, heads, height·width, dv], static`,
      {
        block: name,
        tensor: 'value',
        expected: `[batch, heads, ${height * width}, dv]`,
        actual: `[${value.shape.map(String).join(', ')}]`,
      },
    );
  if (!Number.isInteger(kernelSize) || kernelSize < 1 || kernelSize % 2 === 0)
    throw new SpecError(`softNystromAttention "${name}": valueConv must be 0 or an odd kernel size`, {
      block: name,
      expected: '0 or an odd integer >= 1',
      actual: kernelSize,
    });
  const channels = permute(reshape(value, [batch, heads, height, width, valueDim]), [0, 4, 1, 2, 3]);
  const convolved = conv2d(
    reshape(channels, [batch * valueDim, heads, height, width]),
    param(`${name}.valueConv.weight`, [heads, 1, kernelSize, kernelSize]),
    undefined,
    { padding: (kernelSize - 1) / 2, groups: heads },
  );
  const headsFirst = permute(reshape(convolved, [batch, valueDim, heads, height, width]), [0, 2, 3, 4, 1]);
  return reshape(headsFirst, [batch, heads, tokens, valueDim]);
}

/** G(a, b) = exp(a·bᵀ − ½‖a‖² − ½‖b‖²) for `a` `[..., n, d]`, `b` `[..., m, d]` → `[..., n, m]`. */
function gaussianKernel(a: Node, b: Node): Node {
  const halfSquares = (x: Node) => mul(sum(mul(x, x), [x.rank - 1], { keepDims: true }), 0.5);
  const rowTerm = halfSquares(a);
  // ‖b_j‖² as a row [..., 1, m] so that it broadcasts over the rows of a·bᵀ.
  const columnTerm = reshape(halfSquares(b), [...b.shape.slice(0, -2), 1, b.shape[b.rank - 2]!]);
  return exp(sub(sub(matmul(a, b, { transposeB: true }), rowTerm), columnTerm));
}

/** LayerNorm over the last axis with learned γ and β (`${name}.gamma`, `${name}.beta`: `[dim]`), ε = 1e-5. */
function layerNorm(x: Node, name: string, dim: number): Node {
  const axis = x.rank - 1;
  const deviation = sub(x, mean(x, [axis], { keepDims: true }));
  const variance = mean(mul(deviation, deviation), [axis], { keepDims: true });
  const normalized = mul(deviation, rsqrt(add(variance, 1e-5)));
  return add(mul(normalized, param(`${name}.gamma`, [dim])), param(`${name}.beta`, [dim]));
}
