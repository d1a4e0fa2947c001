import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import { type ScoreMod, scale, scoreMod } from './score-mods.js';
import { checkOptions, checkTensorRef, describeValue } from './validate.js';

/** Activations of the hidden layer of {@link additiveScore}. */
export type AdditiveScoreActivation = 'tanh' | 'relu';

/** Operands of {@link additiveScore}; C (the hidden width) is the last dim of all three tensors. */
export interface AdditiveScoreOptions {
  /** a = W_q q_i (+ bias), `[batch, heads, queries, C]`, computed by IR ops before the op. */
  readonly queryProjection: TensorRef;
  /** b = W_k k_j, `[batch, kvHeads, keys, C]` (read at `kvHead`), computed before the op. */
  readonly keyProjection: TensorRef;
  /** The output vector v, `[heads, C]` (per head) or `[1, C]` (shared). */
  readonly weights: TensorRef;
  /** The hidden activation σ (default `tanh`: Bahdanau; `relu`: the MLP score of Neural Attention). */
  readonly activation?: AdditiveScoreActivation;
}

/** The largest hidden width: the kernel evaluates the C terms unrolled, per (query, key) pair. */
export const MAX_ADDITIVE_WIDTH = 64;

/**
 * An additive (MLP) score: s_ij = Σ_c v_c σ(a_ic + b_jc), with a = W_q q_i and b = W_k k_j computed
 * once per token by IR ops before the attention op (Bahdanau et al.; Show, Attend and Tell, catalog
 * paper 10, with σ = tanh; Neural Attention's one-hidden-layer MLP score s = wᵀσ(W[q; k] + b),
 * catalog paper 15, since W[q; k] = W_q q + W_k k). Returned as score mods (`scale(1)`, then the
 * sum), so the fused kernel evaluates it in its score hook: per pair it reads the C-vector of the
 * query row and of the key and sums C activations — O(C) ALU per pair, no N×N tensor. The kernel
 * still computes q·k, which this score discards. A constant output bias (c_att, b_a) is left out:
 * it cancels in the softmax. Keys are per key head (`kvHead`) under GQA.
 *
 * @example
 * ```ts
 * const score = additiveScore({
 *   queryProjection: tensorRef('queryProjection', [1, 4, 24, 8]),
 *   keyProjection: tensorRef('keyProjection', [1, 4, 24, 8]),
 *   weights: tensorRef('scoreWeights', [4, 8]),
 * });
 * const spec = attention({ heads: 4, headDim: 16, score });
 * ```
 */
export function additiveScore(options: AdditiveScoreOptions): readonly ScoreMod[] {
  const name = 'additiveScore';
  checkOptions(name, options, ['queryProjection', 'keyProjection', 'weights', 'activation']);
  const tensors = ['queryProjection', 'keyProjection', 'weights'] as const;
  for (const key of tensors) {
    if (options[key] === undefined)
      throw new SpecError(`${name}: option "${key}" is required`, { expected: 'a tensor reference' });
    checkTensorRef(name, `option "${key}"`, options[key]);
  }
  const { queryProjection, keyProjection, weights } = options;
  const activation = options.activation ?? 'tanh';
  if (activation !== 'tanh' && activation !== 'relu')
    throw new SpecError(`${name}: option "activation" must be 'tanh' or 'relu'`, {
      actual: describeValue(activation),
    });
  const expectRank = (option: string, tensor: TensorRef, rank: number, layout: string) => {
    if (tensor.shape.length !== rank || tensor.dtype !== 'f32')
      throw new SpecError(`${name}: ${option} must be ${layout} f32`, {
        tensor: tensor.name,
        expected: `rank ${rank}, f32`,
        actual: `[${tensor.shape.join(', ')}] ${tensor.dtype}`,
      });
  };
  expectRank('queryProjection', queryProjection, 4, '[batch, heads, queries, C]');
  expectRank('keyProjection', keyProjection, 4, '[batch, kvHeads, keys, C]');
  expectRank('weights', weights, 2, '[heads, C]');
  const width = weights.shape[1];
  if (width === undefined || width < 1 || width > MAX_ADDITIVE_WIDTH)
    throw new SpecError(
      `${name}: the hidden width C (weights' last dim) must be a number in [1, ${MAX_ADDITIVE_WIDTH}]`,
      {
        tensor: weights.name,
        dimension: 'C',
        expected: `1..${MAX_ADDITIVE_WIDTH}`,
        actual: describeValue(width),
      },
    );
  for (const [option, tensor] of [
    ['queryProjection', queryProjection],
    ['keyProjection', keyProjection],
  ] as const) {
    if (tensor.shape[3] !== width)
      throw new SpecError(`${name}: ${option}'s last dim must equal the weights' width C`, {
        tensor: tensor.name,
        dimension: 'C',
        expected: width,
        actual: describeValue(tensor.shape[3]),
      });
  }
  const sharedWeights = weights.shape[0] === 1;
  const sum = scoreMod((_dotProduct, { b, h, kvHead, q, k }) => {
    const head = sharedWeights ? constant(0, 'i32') : h;
    let total: Expr | undefined;
    for (let c = 0; c < width; c++) {
      const hidden = queryProjection.at(b, h, q, c).add(keyProjection.at(b, kvHead, k, c));
      const activated = activation === 'tanh' ? hidden.apply('tanh') : hidden.max(0);
      const term = weights.at(head, c).mul(activated);
      total = total === undefined ? term : total.add(term);
    }
    return total!;
  }, `additiveScore(${activation}, C=${width})`);
  return [scale(1), sum];
}
