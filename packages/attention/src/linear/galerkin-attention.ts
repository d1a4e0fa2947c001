import { add, mul, type Node, param, ShapeError } from '@weft/ir';
import { layerNorm } from '@weft/norms';

/** The operands of the linear-attention op for Galerkin attention (see {@link galerkinOperands}). */
export interface GalerkinOperands {
  /** Q, unchanged. */
  readonly query: Node;
  /** LN_K(K)/n. */
  readonly key: Node;
  /** LN_V(V). */
  readonly value: Node;
}

/**
 * Galerkin attention (Cao 2021, "Choose a Transformer: Fourier or Galerkin", catalog paper 89):
 * z = Q(K̃ᵀṼ)/n with K̃ = LN_K(K), Ṽ = LN_V(V), a LayerNorm per head over d_k (ε 1e-5, affine:
 * parameters `${name}.key.gamma`, `.key.beta`, `.value.gamma`, `.value.beta`, each `[H, 1, d]`), no
 * softmax and no 1/√d. Feed the result to a non-causal linear-attention spec with identity φ and no
 * denominator; n is the static key length. The paper's Fourier variant, ((Q̃K̃ᵀ)/√d_k/n)V with
 * LN on Q and K, is the same op with the norms moved (associativity does not change the result).
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: identity(), denominator: false });
 * const { output } = applyLinearAttention(spec, galerkinOperands(query, key, value, 'galerkin'));
 * ```
 * @throws ShapeError when the operands are not `[B, H, N, d]` with a static N and d.
 */
export function galerkinOperands(query: Node, key: Node, value: Node, name: string): GalerkinOperands {
  const perHeadNorm = (x: Node, tensor: 'key' | 'value') => {
    const [, heads, , d] = x.shape;
    if (x.rank !== 4 || typeof heads !== 'number' || typeof d !== 'number')
      throw new ShapeError(
        `Galerkin attention "${name}": ${tensor} must be [B, H, N, d] with static H and d`,
        {
          block: name,
          tensor,
          expected: '[B, H, N, d]',
          actual: `rank ${x.rank}`,
        },
      );
    const normalized = layerNorm(x, { eps: 1e-5, affine: false, name: `${name}.${tensor}` });
    return add(
      mul(normalized, param(`${name}.${tensor}.gamma`, [heads, 1, d])),
      param(`${name}.${tensor}.beta`, [heads, 1, d]),
    );
  };
  const n = key.shape[2];
  if (typeof n !== 'number')
    throw new ShapeError(`Galerkin attention "${name}": the key length must be static (z = Q(K̃ᵀṼ)/n)`, {
      block: name,
      tensor: 'key',
      dimension: 2,
      expected: 'a number',
      actual: String(n),
    });
  return { query, key: mul(perHeadNorm(key, 'key'), 1 / n), value: perHeadNorm(value, 'value') };
}
