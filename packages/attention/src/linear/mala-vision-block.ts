import {
  add,
  conv2d,
  div,
  exp,
  greater,
  mean,
  mul,
  type Node,
  param,
  permute,
  reshape,
  SpecError,
  slice,
  sub,
  sum,
  where,
} from '@weft/ir';
import { applyLinearAttention } from './apply-linear-attention.js';
import { identity } from './feature-maps.js';
import { linearAttention } from './linear-attention-spec.js';
import { rotatePairs } from './rotate-pairs.js';
import { checkVisionBlockOperands } from './vision-block-operands.js';

/** Options of {@link malaVisionBlock}. */
export interface MalaVisionOptions {
  /** Heads n: the C channels split into n heads of C/n (a multiple of 4, for the 2-D RoPE). */
  readonly heads: number;
  /** Block name prefixing every parameter. Default `mala`. */
  readonly name?: string;
}

/** The 2-D RoPE tables of {@link malaVisionBlock}: `sin` and `cos`, each `[H·W, headDim]`. */
export interface MalaRopeTables {
  /** sin of every (position, feature) angle, row-major `[H·W, headDim]`. */
  readonly sin: Float32Array;
  /** cos of the same angles. */
  readonly cos: Float32Array;
}

/**
 * MALA's 2-D RoPE tables for an `height × width` image and head dim d (the reference's `RoPE`
 * module): θ_i = 10000^(−i/(d/4 − 1)) for i < d/4 (a linspace of exponents from 0 to 1), each taken
 * twice (the two entries of an interleaved pair); the first d/2 features turn with the row index h,
 * the last d/2 with the column index w. Rows are positions in row-major order (h·W + w).
 *
 * @example
 * ```ts
 * const { sin, cos } = malaRopeTables(7, 7, 16); // [49, 16] each, inputs `sin` and `cos` of the block
 * ```
 * @throws SpecError when d is not a multiple of 4 of at least 8 or a side is not a positive integer.
 */
export function malaRopeTables(height: number, width: number, headDim: number): MalaRopeTables {
  if (!Number.isInteger(headDim) || headDim % 4 !== 0 || headDim < 8)
    throw new SpecError('malaRopeTables: the head dim must be a multiple of 4 of at least 8', {
      dimension: 'headDim',
      expected: 'a multiple of 4, >= 8',
      actual: headDim,
    });
  for (const [side, size] of [
    ['height', height],
    ['width', width],
  ] as const)
    if (!Number.isInteger(size) || size < 1)
      throw new SpecError(`malaRopeTables: ${side} must be a positive integer`, {
        dimension: side,
        actual: size,
      });
  const quarter = headDim / 4;
  const theta = Array.from({ length: quarter }, (_, i) => 1 / 10000 ** (i / (quarter - 1)));
  const sin = new Float32Array(height * width * headDim);
  const cos = new Float32Array(height * width * headDim);
  for (let h = 0; h < height; h++)
    for (let w = 0; w < width; w++)
      for (let f = 0; f < headDim; f++) {
        const half = f < headDim / 2;
        const angle = (half ? h : w) * theta[Math.floor((half ? f : f - headDim / 2) / 2)]!;
        sin[(h * width + w) * headDim + f] = Math.sin(angle);
        cos[(h * width + w) * headDim + f] = Math.cos(angle);
      }
  return { sin, cos };
}

/**
 * MALA's vision attention block (Fan et al. 2025, catalog paper 103; `AddLinearAttention` of the
 * reference's `classfication_release/model.py`), non-causal over the H·W positions of an image
 * `x` `[B, C, H, W]`:
 *
 * - [q, k, v, o] = 1×1 conv(x) (`${name}.qkvo.weight` `[4C, C, 1, 1]`, `.bias` `[4C]`), q, k, v split
 *   into n heads `[B, n, H·W, d]`; φ = ELU + 1 on q and k;
 * - z_i = s·φ(q_i)·mean_j φ(k_j), s = d^(−1/2), from the **unrotated** features;
 * - q̂, k̂ = the 2-D RoPE of φ(q), φ(k) (interleaved pairs, x·cos + rot(x)·sin with the tables of
 *   {@link malaRopeTables}, inputs `sin` and `cos` `[H·W, d]`, as the reference passes them in);
 * - y_i = (1 + 1/(z_i + 10⁻⁶))·(s/(H·W))·q̂_iᵀ Σ_j k̂_j v_jᵀ − z_i·mean_j v_j — the rotated numerator
 *   is one linear-attention kernel (identity features, no denominator);
 * - y + LePE(v) (a depthwise 5×5 conv of v as an image, `${name}.lepe.weight` `[C, 1, 5, 5]`,
 *   `.bias`), times the gate o, and a 1×1 conv (`${name}.proj.weight` `[C, C, 1, 1]`, `.bias`).
 *
 * Output `[B, C, H, W]`.
 *
 * @example
 * ```ts
 * const image = input('x', [1, 32, 7, 7]);
 * const y = malaVisionBlock(image, input('sin', [49, 8]), input('cos', [49, 8]), { heads: 4 });
 * // feed sin and cos from malaRopeTables(7, 7, 8)
 * ```
 * @throws SpecError naming the block and tensor when x is not a static `[B, C, H, W]`, the heads do
 * not split C into head dims that are multiples of 4, or the tables are not `[H·W, d]`.
 */
export function malaVisionBlock(x: Node, sin: Node, cos: Node, options: MalaVisionOptions): Node {
  const { name, batch, channels, height, width, heads, headDim } = checkVisionBlockOperands(
    x,
    sin,
    cos,
    options.heads,
    options.name ?? 'mala',
    'MALA vision block',
  );
  const positions = height * width;
  const scale = headDim ** -0.5;
  const qkvo = conv2d(
    x,
    param(`${name}.qkvo.weight`, [4 * channels, channels, 1, 1]),
    param(`${name}.qkvo.bias`, [4 * channels]),
  );
  const part = (index: number) =>
    slice(qkvo, [0, index * channels, 0, 0], [batch, (index + 1) * channels, height, width]);
  // 'b (n d) h w -> b n (h w) d'
  const headRows = (image: Node) => permute(reshape(image, [batch, heads, headDim, positions]), [0, 1, 3, 2]);
  const elu1 = (t: Node) => where(greater(t, 0), add(t, 1), exp(t));
  const [q, k, v] = [0, 1, 2].map((index) => headRows(part(index))) as [Node, Node, Node];
  const [phiQ, phiK] = [elu1(q), elu1(k)];
  const z = mul(sum(mul(phiQ, mean(phiK, 2, { keepDims: true })), 3, { keepDims: true }), scale);
  const [rotatedQ, rotatedK] = [rotatePairs(phiQ, sin, cos), rotatePairs(phiK, sin, cos)];
  const numerator = applyLinearAttention(
    linearAttention({
      heads,
      headDim,
      featureMap: identity(),
      denominator: false,
      name: `${name}.attention`,
    }),
    { query: rotatedQ, key: rotatedK, value: v },
  ).output;
  const gain = add(div(1, add(z, 1e-6)), 1);
  const rows = sub(mul(mul(numerator, scale / positions), gain), mul(z, mean(v, 2, { keepDims: true })));
  // 'b n (h w) d -> b (n d) h w'
  const image = reshape(permute(rows, [0, 1, 3, 2]), [batch, channels, height, width]);
  const lepe = conv2d(
    part(2),
    param(`${name}.lepe.weight`, [channels, 1, 5, 5]),
    param(`${name}.lepe.bias`, [channels]),
    { padding: 2, groups: channels },
  );
  return conv2d(
    mul(add(image, lepe), part(3)),
    param(`${name}.proj.weight`, [channels, channels, 1, 1]),
    param(`${name}.proj.bias`, [channels]),
  );
}
