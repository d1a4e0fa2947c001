import { matmul, mul, type Node, param, permute, reshape, ShapeError, silu, slice } from '@weft/ir';
import { simpleRmsNorm } from '@weft/norms';
import { applyLinearAttention } from './apply-linear-attention.js';
import { identity } from './feature-maps.js';
import { linearAttention } from './linear-attention-spec.js';
import { type LinearDecay, lightningLinearDecay } from './linear-decay.js';
import { lrpeFeatures } from './lrpe-features.js';

/** Options of {@link normLinearAttention}. */
export interface NormLinearAttentionOptions {
  /** Layer name; parameters `${name}.qkvu.weight` `[D, 4D]`, `${name}.out.weight` `[D, D]`, `${name}.lrpe.theta`. */
  readonly name: string;
  /** Heads H (D = H · d_h). */
  readonly heads: number;
  /** This layer's index l of `layers` L, for the decay λ = exp(−s_h (1 − l/(L − 1) + 1e−5)). */
  readonly layer: number;
  /** L, the layers of the model. */
  readonly layers: number;
  /** LRPE on q and k (TransNormerLLM's per-layer switch). Default true. */
  readonly lrpe?: boolean;
  /** Positions per chunk of the causal sweep (default the op's). */
  readonly chunkSize?: number;
}

/**
 * TransNormerLLM's token mixer `NormLinearAttention` (Qin et al., catalog paper 19) over x `[B, L, D]`:
 * [q, k, v, u] = x W_qkvu (no bias), q = SiLU(q), k = SiLU(k), optional LRPE on both,
 * O_i = Σ_{j≤i} λ_h^(i−j) (q_i · k_j) v_j per head (Lightning's causal decayed linear attention, no
 * denominator), y = W_out(SRMSNorm(concat_h O) ⊙ u) with SRMSNorm(x) = x/√(mean(x²) + 1e−6).
 * The residual and the SRMSNorm before the mixer stay the caller's. Weights in x·W layout.
 *
 * @example
 * ```ts
 * const y = normLinearAttention(input('x', [1, 24, 64]), { name: 'layers.2.mixer', heads: 4, layer: 2, layers: 6 });
 * ```
 * @throws ShapeError when x is not `[B, L, D]` with static sizes and D a multiple of `heads`.
 */
export function normLinearAttention(x: Node, options: NormLinearAttentionOptions): Node {
  const { name, heads } = options;
  const [batch, length, width] = x.shape;
  if (
    x.rank !== 3 ||
    typeof batch !== 'number' ||
    typeof length !== 'number' ||
    typeof width !== 'number' ||
    width % heads !== 0
  )
    throw new ShapeError(
      `NormLinearAttention "${name}": x must be [B, L, D], static, D a multiple of heads`,
      {
        block: name,
        tensor: 'x',
        expected: `[B, L, ${heads}·d_h]`,
        actual: `[${x.shape.join(', ')}]`,
      },
    );
  const headDim = width / heads;
  const projected = matmul(x, param(`${name}.qkvu.weight`, [width, 4 * width]));
  const part = (index: number) =>
    slice(projected, [0, 0, index * width], [batch, length, (index + 1) * width]);
  const split = (node: Node) => permute(reshape(node, [batch, length, heads, headDim]), [0, 2, 1, 3]);
  const decay: LinearDecay = lightningLinearDecay(heads, options.layer, options.layers);
  const spec = linearAttention({
    heads,
    headDim,
    featureMap: identity(),
    ...(options.lrpe === false ? {} : { featureExpansion: lrpeFeatures() }),
    denominator: false,
    decay,
    causal: true,
    ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
    name,
  });
  const { output } = applyLinearAttention(spec, {
    query: silu(split(part(0))),
    key: silu(split(part(1))),
    value: split(part(2)),
  });
  const merged = reshape(permute(output, [0, 2, 1, 3]), [batch, length, width]);
  const gated = mul(simpleRmsNorm(merged, { name: `${name}.norm` }), part(3));
  return matmul(gated, param(`${name}.out.weight`, [width, width]));
}
