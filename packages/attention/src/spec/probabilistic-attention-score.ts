import { SpecError, type TensorRef } from '@weft/ir';
import { type ScoreMod, scale, scoreMod } from './score-mods.js';
import { checkOptions, checkTensorRef } from './validate.js';

/**
 * The per-key and per-query tensors of {@link probabilisticAttentionScore}: per-key tensors are
 * `[batch, kvHeads, keys]` (one row per key head, read through `kvHead`), the per-query one
 * `[batch, heads, queries]`.
 */
export interface ProbabilisticAttentionTensors {
  /** Per-key precisions α_j > 0, `[batch, kvHeads, keys]`. */
  readonly precision: TensorRef;
  /** Per-key log priors log π_j, `[batch, kvHeads, keys]`. */
  readonly logPrior: TensorRef;
  /** ‖q_i‖², `[batch, heads, queries]` (computed by IR ops before the attention op). */
  readonly queryNormSquared: TensorRef;
  /** ‖ζ_j‖², `[batch, kvHeads, keys]` (computed by IR ops before the attention op). */
  readonly keyNormSquared: TensorRef;
}

/**
 * The E-step of probabilistic attention (Gabbur et al., "Probabilistic Attention for Interactive
 * Segmentation", catalog paper 76): tokens are the components of an isotropic Gaussian mixture with
 * per-key precisions α_j and priors π_j, and the responsibilities are a softmax over keys of
 *
 * `log w_ij = −½ α_j ‖q_i − ζ_j‖² + log π_j = α_j q_i·ζ_j − ½ α_j ‖ζ_j‖² − ½ α_j ‖q_i‖² + log π_j`,
 *
 * the output v_i = Σ_j w_ij μ_j (μ = the values). Returned as score mods (`scale(1)`, then the
 * expansion above), with the squared norms read from tensors that IR ops compute before the op. With
 * a uniform α = 1/√C and the magnitude prior log π_j = ½ α ‖ζ_j‖² it is exactly softmax(q·ζ/√C).
 * Keys are per key head: under GQA the query heads of a group share their key head's α_j, π_j and
 * ‖ζ_j‖² (read at `kvHead` = ⌊h·kvHeads/heads⌋). Not covered: the online EM key
 * adaptation ζ_j ← (λ ζ_j + α Σ_i w_ij q_i) / (λ + α Σ_i w_ij) (a column-normalized sum over queries,
 * a transposed attention) and the value-propagation and positional terms; the reference's ε = 1e-20 in
 * the softmax denominator is dropped (rows here always keep a key).
 *
 * @example
 * ```ts
 * // 4 query heads over 2 key heads: per-key tensors [1, 2, 24], the per-query one [1, 4, 24].
 * const score = probabilisticAttentionScore({
 *   precision: tensorRef('precision', [1, 2, 24]), logPrior: tensorRef('logPrior', [1, 2, 24]),
 *   queryNormSquared: tensorRef('queryNormSquared', [1, 4, 24]), keyNormSquared: tensorRef('keyNormSquared', [1, 2, 24]),
 * });
 * const spec = attention({ heads: 4, kvHeads: 2, headDim: 16, score });
 * ```
 */
export function probabilisticAttentionScore(tensors: ProbabilisticAttentionTensors): readonly ScoreMod[] {
  const keys = ['precision', 'logPrior', 'queryNormSquared', 'keyNormSquared'] as const;
  checkOptions('probabilisticAttentionScore', tensors, keys, true);
  for (const key of keys) checkTensorRef('probabilisticAttentionScore', `option "${key}"`, tensors[key]);
  for (const [option, tensor] of Object.entries(tensors) as [string, TensorRef][]) {
    if (tensor.shape.length !== 3 || tensor.dtype !== 'f32')
      throw new SpecError(
        `probabilisticAttentionScore: ${option} must be [batch, heads or kvHeads, length] f32`,
        {
          tensor: tensor.name,
          expected: 'rank 3, f32',
          actual: `[${tensor.shape.join(', ')}] ${tensor.dtype}`,
        },
      );
  }
  const { precision, logPrior, queryNormSquared, keyNormSquared } = tensors;
  const logWeight = scoreMod((dotProduct, { b, h, kvHead, q, k }) => {
    const alpha = precision.at(b, kvHead, k);
    const squaredNorms = keyNormSquared.at(b, kvHead, k).add(queryNormSquared.at(b, h, q));
    return alpha.mul(dotProduct.sub(squaredNorms.mul(0.5))).add(logPrior.at(b, kvHead, k));
  }, 'probabilisticAttention');
  return [scale(1), logWeight];
}
