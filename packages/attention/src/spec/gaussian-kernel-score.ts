import { SpecError, type TensorRef } from '@weft/ir';
import { type ScoreMod, scale, scoreMod } from './score-mods.js';
import { checkOptions, checkTensorRef } from './validate.js';

/** The squared-norm tensors of {@link gaussianKernelScore}, each `[batch, heads, length]`. */
export interface GaussianKernelTensors {
  /** ‖q_i‖², `[batch, heads, queries]` (computed by IR ops before the attention op). */
  readonly queryNormSquared: TensorRef;
  /** ‖k_j‖², `[batch, heads, keys]`; the same tensor as `queryNormSquared` when K is tied to Q. */
  readonly keyNormSquared: TensorRef;
}

/**
 * SOFT's Gaussian kernel (Lu et al., "SOFT: Softmax-free Transformer with Linear Complexity",
 * catalog paper 83) as score mods: `scale(1)`, then G(q_i, k_j) = exp(−½‖q_i − k_j‖²) computed as
 * exp(q_i·k_j − ½‖q_i‖² − ½‖k_j‖²) (the reference's `‖a‖² + ‖b‖² − 2abᵀ` expansion), the squared norms
 * read from tensors that IR ops compute before the op. Pair it with `identity({ outputNorm: 'none' })`
 * (SOFT does not normalize the rows) for the `ratio == 1` form G(Q, K) V, with K tied to Q and Q
 * scaled by d^(−1/4) before the op. Values lie in (0, 1], so exp cannot overflow. The Nyström form
 * (ratio > 1) is `softNystromAttention`, a chain of IR ops around a small pseudo-inverse.
 *
 * @example
 * ```ts
 * const norms = tensorRef('normSquared', [1, 4, 24]);
 * const spec = attention({
 *   heads: 4, headDim: 16, normalizer: identity({ outputNorm: 'none' }),
 *   score: gaussianKernelScore({ queryNormSquared: norms, keyNormSquared: norms }),
 * });
 * ```
 */
export function gaussianKernelScore(tensors: GaussianKernelTensors): readonly ScoreMod[] {
  const keys = ['queryNormSquared', 'keyNormSquared'] as const;
  checkOptions('gaussianKernelScore', tensors, keys, true);
  for (const key of keys) checkTensorRef('gaussianKernelScore', `option "${key}"`, tensors[key]);
  for (const [option, tensor] of Object.entries(tensors) as [string, TensorRef][]) {
    if (tensor.shape.length !== 3 || tensor.dtype !== 'f32')
      throw new SpecError(`gaussianKernelScore: ${option} must be [batch, heads, length] f32`, {
        tensor: tensor.name,
        expected: 'rank 3, f32',
        actual: `[${tensor.shape.join(', ')}] ${tensor.dtype}`,
      });
  }
  const { queryNormSquared, keyNormSquared } = tensors;
  const kernel = scoreMod((dotProduct, { b, h, q, k }) => {
    const halfNorms = queryNormSquared
      .at(b, h, q)
      .add(keyNormSquared.at(b, h, k))
      .mul(0.5);
    return dotProduct.sub(halfNorms).apply('exp');
  }, 'gaussianKernel');
  return [scale(1), kernel];
}
