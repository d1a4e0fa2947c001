import {
  add,
  concat,
  conv2d,
  div,
  matmul,
  mean,
  mul,
  type Node,
  param,
  permute,
  reshape,
  silu,
  slice,
  sum,
} from '@weft/ir';
import { layerNorm } from '@weft/norms';
import { applyLinearAttention } from './apply-linear-attention.js';
import { identity } from './feature-maps.js';
import { linearAttention } from './linear-attention-spec.js';
import { nalaKeyRows, nalaQueryRows } from './nala-rows.js';
import { rotatePairs } from './rotate-pairs.js';
import { checkVisionBlockOperands } from './vision-block-operands.js';

/** Options of {@link nalaVisionBlock}. */
export interface NalaVisionOptions {
  /** Heads n: the C channels split into n heads of C/n (a multiple of 4, for the 2-D RoPE). */
  readonly heads: number;
  /** Block name prefixing every parameter. Default `nala`. */
  readonly name?: string;
}

/**
 * NaLaFormer's vision attention block (Meng et al. 2025, catalog paper 16; `NormAwareLinearAttn` of
 * the reference's `NaLaformer/NALA.py`), non-causal over the N = H·W positions of an image `x`
 * `[B, C, H, W]`:
 *
 * - [q, k, v, g] = x W_qkvgᵀ + b over the tokens (`${name}.qkvg.weight` `[4C, C]` in `nn.Linear`'s
 *   layout, `.bias` `[4C]`); q, k, v split into n heads of d = C/n;
 * - the norm-aware features of {@link nalaFeatures}: φ(q) = [(ReLU(q)/‖q‖)^p ; (ReLU(−q)/‖q‖)^p] with
 *   p = 3(0.5 + tanh ‖q‖), φ(k) = [ReLU(k³) ; ReLU(−k³)] (2d features);
 * - z_i = 1/(φ(q_i)·mean_j φ(k_j) + 10⁻⁶) from the **unrotated** features;
 * - each half of φ(q), φ(k) turned by the 2-D RoPE (interleaved pairs, x·cos + rot(x)·sin with the
 *   tables `sin`, `cos` `[H·W, d]` of {@link malaRopeTables} — the reference's `RoPE` module is
 *   MALA's), so the numerator is one linear-attention kernel over the rotated 2d features:
 *   y_i = z_i·(1/N)·Σ_j (φ̃(q_i)·φ̃(k_j)) v_j;
 * - y + LePE(v) (a depthwise 5×5 conv of v as an image, `${name}.lepe.weight` `[C, 1, 5, 5]`,
 *   `.bias`), LayerNorm over the channels (ε 10⁻⁵, `${name}.ln.gamma`/`.beta`: the reference's
 *   `ln.weight`/`ln.bias`) times SiLU(g), and `out_proj` (`${name}.out_proj.weight` `[C, C]`, `.bias`).
 *
 * Output `[B, C, H, W]`. The residual block around it (CPEs, LayerNorm2d, FFN) stays the caller's.
 *
 * @example
 * ```ts
 * const image = input('x', [1, 32, 7, 7]);
 * const y = nalaVisionBlock(image, input('sin', [49, 16]), input('cos', [49, 16]), { heads: 2 });
 * // feed sin and cos from malaRopeTables(7, 7, 16)
 * ```
 * @throws SpecError naming the block and tensor when x is not a static `[B, C, H, W]`, the heads do
 * not split C into head dims that are multiples of 4, or the tables are not `[H·W, d]`.
 */
export function nalaVisionBlock(x: Node, sin: Node, cos: Node, options: NalaVisionOptions): Node {
  const { name, batch, channels, height, width, heads, headDim } = checkVisionBlockOperands(
    x,
    sin,
    cos,
    options.heads,
    options.name ?? 'nala',
    'NaLaFormer vision block',
  );
  const positions = height * width;
  // 'b c h w -> b (h w) c'
  const tokens = permute(reshape(x, [batch, channels, positions]), [0, 2, 1]);
  const linear = (rows: Node, layer: string, outputs: number) =>
    add(
      matmul(rows, param(`${name}.${layer}.weight`, [outputs, channels]), { transposeB: true }),
      param(`${name}.${layer}.bias`, [outputs]),
    );
  const qkvg = linear(tokens, 'qkvg', 4 * channels);
  const part = (index: number) =>
    slice(qkvg, [0, 0, index * channels], [batch, positions, (index + 1) * channels]);
  // 'b N (n d) -> b n N d'
  const headRows = (rows: Node) => permute(reshape(rows, [batch, positions, heads, headDim]), [0, 2, 1, 3]);
  const [q, k, v] = [0, 1, 2].map((index) => headRows(part(index))) as [Node, Node, Node];
  const [phiQ, phiK] = [nalaQueryRows(q), nalaKeyRows(k)];
  const z = div(1, add(sum(mul(phiQ, mean(phiK, 2, { keepDims: true })), 3, { keepDims: true }), 1e-6));
  // Both halves of the 2d features turn by the same [N, d] table (the reference rotates each half).
  const [sinTwice, cosTwice] = [concat([sin, sin], 1), concat([cos, cos], 1)];
  const numerator = applyLinearAttention(
    linearAttention({
      heads,
      headDim: 2 * headDim,
      valueDim: headDim,
      featureMap: identity(),
      denominator: false,
      name: `${name}.attention`,
    }),
    {
      query: rotatePairs(phiQ, sinTwice, cosTwice),
      key: rotatePairs(phiK, sinTwice, cosTwice),
      value: v,
    },
  ).output;
  const rows = mul(mul(numerator, 1 / positions), z);
  // 'b n N d -> b N (n d)'
  const merged = reshape(permute(rows, [0, 2, 1, 3]), [batch, positions, channels]);
  const valueImage = reshape(permute(part(2), [0, 2, 1]), [batch, channels, height, width]);
  const lepe = conv2d(
    valueImage,
    param(`${name}.lepe.weight`, [channels, 1, 5, 5]),
    param(`${name}.lepe.bias`, [channels]),
    { padding: 2, groups: channels },
  );
  const lepeTokens = permute(reshape(lepe, [batch, channels, positions]), [0, 2, 1]);
  const gated = mul(layerNorm(add(merged, lepeTokens), { name: `${name}.ln` }), silu(part(3)));
  const out = linear(gated, 'out_proj', channels);
  // 'b (h w) c -> b c h w'
  return reshape(permute(out, [0, 2, 1]), [batch, channels, height, width]);
}
