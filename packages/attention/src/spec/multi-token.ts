import { SpecError } from '@weft/ir';
import { checkBoolean, checkNumber, checkOneOf, checkOptions, checkSize, genuinePart } from './validate.js';

/** Where {@link MultiTokenConvolution}'s head mixing runs: on the convolved logits or on the probabilities. */
export type HeadMixingPlacement = 'preSoftmax' | 'postSoftmax';

/** Options of the head mixing of {@link multiTokenConvolution}. */
export interface HeadMixingOptions {
  /**
   * Heads per group c_h: heads `g·c_h … g·c_h + c_h − 1` mix among themselves with their own
   * c_h×c_h matrix W_g (the paper's head convolution; c_h = H mixes every head). Must divide H.
   */
  readonly groupSize: number;
  /**
   * `postSoftmax` (the paper's default): A_g ← A_g · W_g on the normalized probabilities, rows no
   * longer summing to 1; `preSoftmax`: the same mix on the convolved logits before the softmax.
   * Default `postSoftmax`.
   */
  readonly placement?: HeadMixingPlacement;
}

/** Options of {@link multiTokenConvolution}. */
export interface MultiTokenOptions {
  /** Kernel rows c_q over the query axis (causal: rows i − c_q + 1 … i). Paper default 6. */
  readonly queryKernel: number;
  /** Kernel columns c_k over the key axis, odd (centred: keys j − (c_k−1)/2 … j + (c_k−1)/2). Paper default 11. */
  readonly keyKernel: number;
  /** Mixing across groups of heads (default none). */
  readonly headMixing?: HeadMixingOptions;
  /**
   * The paper's per-head group norm of the output: RMSNorm over d_v with a learned gain
   * (`${name}.scoreMap.normGain` `[valueDim]`, shared by the heads), ε = 1e-5. `true` or `{ epsilon }`.
   * Default off.
   */
  readonly groupNorm?: boolean | { readonly epsilon?: number };
}

/**
 * Multi-Token Attention's score-map stage (a validated value): put it in `attention({ scoreMap })`.
 * Its learned tensors are `param`s named after the block: `${name}.scoreMap.kernel` `[H, c_q, c_k]`,
 * `${name}.scoreMap.headMix` `[H / c_h, c_h, c_h]` and `${name}.scoreMap.normGain` `[d_v]`.
 */
export interface MultiTokenConvolution {
  /** Discriminant. */
  readonly kind: 'scoreMap';
  /** Kernel rows c_q (query axis). */
  readonly queryKernel: number;
  /** Kernel columns c_k (key axis, odd). */
  readonly keyKernel: number;
  /** Head mixing, if any. */
  readonly headMixing: { readonly groupSize: number; readonly placement: HeadMixingPlacement } | null;
  /** The group norm's ε, or `null` without a group norm. */
  readonly groupNorm: { readonly epsilon: number } | null;
}

const BUILDER = 'multiTokenConvolution';

/**
 * Multi-Token Attention (Golovneva et al., catalog paper 43): the pre-softmax logits L = QKᵀ/√d of
 * each head, with causally masked entries set to 0, are convolved over (query, key) by a per-head
 * c_q×c_k kernel θ_h — causal over queries (rows i − c_q + 1 … i, zero-padded above), centred over
 * keys (zero-padded (c_k−1)/2 on each side):
 * L'_h(i, j) = Σ_{a<c_q} Σ_{b<c_k} θ_h[a, b] · L_h(i − c_q + 1 + a, j − (c_k−1)/2 + b);
 * then the causal mask is applied again with −∞ and the row softmax taken. Optional head mixing
 * over groups of c_h heads (out_c = Σ_{c'} W_g[c', c] · in_{c'}) runs on the logits (pre-softmax) or on
 * the probabilities (post-softmax, the paper's default); O = A V, then the optional group norm
 * RMSNorm(O_h)·γ. Kernel sizes are checked here (a `SpecError` naming the option), the head groups
 * against the heads by `attention()`.
 *
 * Lowering: one kernel without post-softmax mixing (online softmax), two with it (row statistics,
 * then normalize, mix and multiply V); neither writes the N×N map (see `applyAttention`).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4, headDim: 16, mask: causal(),
 *   scoreMap: multiTokenConvolution({ queryKernel: 6, keyKernel: 11, headMixing: { groupSize: 2 }, groupNorm: true }),
 * });
 * ```
 */
export function multiTokenConvolution(options: MultiTokenOptions): MultiTokenConvolution {
  checkOptions(BUILDER, options, ['queryKernel', 'keyKernel', 'headMixing', 'groupNorm'], true);
  const queryKernel = checkSize(BUILDER, 'option "queryKernel"', options.queryKernel);
  const keyKernel = checkSize(BUILDER, 'option "keyKernel"', options.keyKernel);
  if (keyKernel % 2 !== 1)
    throw new SpecError(`${BUILDER}: option "keyKernel" must be odd (the key axis is centred)`, {
      expected: 'an odd integer',
      actual: keyKernel,
    });
  if (queryKernel * keyKernel > MAX_KERNEL_TAPS)
    throw new SpecError(`${BUILDER}: queryKernel × keyKernel must be at most ${MAX_KERNEL_TAPS}`, {
      expected: `c_q·c_k <= ${MAX_KERNEL_TAPS}`,
      actual: queryKernel * keyKernel,
    });
  let headMixing: MultiTokenConvolution['headMixing'] = null;
  if (options.headMixing !== undefined) {
    const what = `${BUILDER} option "headMixing"`;
    checkOptions(what, options.headMixing, ['groupSize', 'placement'], true);
    headMixing = Object.freeze({
      groupSize: checkSize(what, 'option "groupSize"', options.headMixing.groupSize),
      placement:
        options.headMixing.placement === undefined
          ? 'postSoftmax'
          : checkOneOf<HeadMixingPlacement>(what, 'option "placement"', options.headMixing.placement, [
              'preSoftmax',
              'postSoftmax',
            ]),
    });
  }
  let groupNorm: MultiTokenConvolution['groupNorm'] = null;
  if (typeof options.groupNorm === 'object' && options.groupNorm !== null) {
    const what = `${BUILDER} option "groupNorm"`;
    checkOptions(what, options.groupNorm, ['epsilon']);
    const epsilon = options.groupNorm.epsilon ?? GROUP_NORM_EPSILON;
    groupNorm = { epsilon: checkNumber(what, 'option "epsilon"', epsilon, { above: 0 }) };
  } else if (
    options.groupNorm !== undefined &&
    checkBoolean(BUILDER, 'option "groupNorm"', options.groupNorm)
  )
    groupNorm = { epsilon: GROUP_NORM_EPSILON };
  return genuinePart(
    Object.freeze({
      kind: 'scoreMap',
      queryKernel,
      keyKernel,
      headMixing,
      groupNorm,
    }) as MultiTokenConvolution,
  );
}

/** The paper's group-norm ε (its RMSNorm `subln`). */
export const GROUP_NORM_EPSILON = 1e-5;

/** The most kernel taps c_q·c_k: the kernel keeps c_q·c_k logits per head in registers. */
export const MAX_KERNEL_TAPS = 256;
