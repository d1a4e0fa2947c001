import { SpecError } from '@weft/ir';
import { checkOptions, describeValue, I32_MAX } from '../spec/validate.js';
import { groupedSoftmaxCode } from './grouped-softmax-kernel.js';
import { groupedSoftmaxRow } from './grouped-softmax-row.js';
import { groupedSoftmaxWeights } from './grouped-softmax-weights.js';
import type { Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';
import { checkStoredAttrs } from './stored-attrs.js';

/** Options of {@link groupedSoftmax}. */
export interface GroupedSoftmaxOptions {
  /** ℓ, the regular keys per block; a landmark key follows every ℓ of them (the paper's LM runs use 50). */
  readonly blockSize: number;
}

/**
 * Landmark Attention's grouped softmax (Mohtashami & Jaggi, "Random-Access Infinite Context Length
 * for Transformers", catalog #66), the training-time form. Keys are laid out in periods of ℓ + 1:
 * key k is a landmark when (k + 1) mod (ℓ + 1) = 0 and belongs to block g(k) = ⌊k/(ℓ + 1)⌋ (a
 * block's landmark closes it). Query i sits at position p_i = i + Nk − Nq (the alignment of
 * `causal()`) in the current block c = g(p_i). The normalizer is causal by itself: keys after p_i
 * weigh 0 with or without a mask, and a mask further hides keys.
 *
 * - The top-level set T_i = {visible landmarks of blocks g < c} ∪ {visible regular keys of block c};
 *   block c's own landmark is excluded, also when the query is that landmark.
 *   L_i = log Σ_{j ∈ T_i} exp(s_ij).
 * - A regular key j of block c weighs exp(s_ij − L_i).
 * - A regular key j of a previous block g weighs exp(s_i,λ_g − L_i) · softmax_g(s_i)_j, the gate of
 *   g's landmark λ_g times the softmax over g's visible regular keys. A block whose landmark is
 *   hidden weighs 0; a block whose regular keys are all hidden gives 0 (the reference's
 *   "denominator < 0.5 → 0" guard), its gate's mass is lost.
 * - Landmark keys themselves weigh 0: their values are never mixed in.
 *
 * A row with an empty T_i gives 0. The reference (epfml/landmark-attention, `landmark_grouped_softmax`)
 * takes the current block from the last visible key and flags landmarks by token id; with a causal
 * mask and landmarks every ℓ tokens both agree with this definition. The fused kernel makes two
 * passes over the keys in order (the log-sum-exp over T_i, then the gated per-block softmaxes with
 * one running block state), O(N) memory, any ℓ; it does not use the split-keys decode kernel.
 * This is the dense form over the keys of the call; inference-time retrieval of the top-k landmark
 * blocks from a KV cache is `landmarkRetrieval`, which runs this normalizer over the retrieved blocks.
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: causal(), normalizer: groupedSoftmax({ blockSize: 50 }) });
 * ```
 */
export function groupedSoftmax(options: GroupedSoftmaxOptions): Normalizer {
  checkOptions('groupedSoftmax', options, ['blockSize'], true);
  const blockSize = options.blockSize;
  // Keys are laid out in periods of blockSize + 1 i32 positions.
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > I32_MAX - 1)
    throw new SpecError(
      `groupedSoftmax: blockSize must be an integer >= 1 and <= ${I32_MAX - 1} (a period of blockSize + 1 keys is an i32)`,
      { actual: describeValue(blockSize) },
    );
  return normalizerOf(GROUPED_SOFTMAX, { blockSize });
}

/** The grouped softmax as stored on a node. */
export interface GroupedSoftmaxAttrs {
  /** Discriminant. */
  readonly name: 'groupedSoftmax';
  /** ℓ: regular keys per block, each block closed by one landmark key. */
  readonly blockSize: number;
}

/** The grouped softmax (see {@link groupedSoftmax}); its top-level log-sum-exp comes first, so it never splits. */
export const GROUPED_SOFTMAX: NormalizerDef<{ readonly blockSize: number }, GroupedSoftmaxAttrs> = {
  name: 'groupedSoftmax',
  decode: (stored, block) => checkStoredAttrs(stored, block, { blockSize: 'integer' }),
  attrs(options, context) {
    if (!Number.isInteger(options.blockSize) || options.blockSize < 1)
      throw new SpecError(`attention "${context.block}": groupedSoftmax blockSize must be an integer >= 1`, {
        block: context.block,
        expected: 'integer >= 1',
        actual: String(options.blockSize),
      });
    return { name: 'groupedSoftmax', blockSize: options.blockSize };
  },
  reference: (attrs, scores, row) => ({
    weights: groupedSoftmaxRow(
      scores,
      row.keyIndices ?? scores.map((_, j) => j),
      row.queryPosition ?? row.keys - 1,
      attrs.blockSize,
    ),
    logSumExp: -Infinity,
  }),
  decompose: (attrs, context) => ({
    probabilities: groupedSoftmaxWeights(attrs, context.score, context.keep, context.keys, (expr) =>
      context.lower(expr),
    ),
  }),
  kernel: groupedSoftmaxCode,
};
