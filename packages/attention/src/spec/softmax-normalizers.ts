import { SpecError, type TensorRef } from '@weft/ir';
import { type HeadParameter, headParameter } from './head-parameter.js';
import type { Normalizer } from './normalizers.js';
import { checkOptions, checkTensorRef, describeValue, genuinePart, I32_MAX } from './validate.js';

/**
 * Softmax over keys (online, FlashAttention-2 style). `sink`: a learned sink logit per head (or one
 * number) added to the denominator only, as in gpt-oss and "off-by-one" softmax (sink 0).
 */
export function softmax(options: { sink?: HeadParameter } = {}): Normalizer {
  checkOptions('softmax', options, ['sink']);
  return genuinePart(
    Object.freeze({
      kind: 'normalizer',
      name: 'softmax',
      sink: options.sink === undefined ? undefined : headParameter(options.sink, 'softmax', 'sink'),
    }),
  );
}

/**
 * Sigmoid attention (Ramapuram et al., catalog #21): weights σ(s + bias), no normalization.
 * Default bias −log(n) with n the maximum key length of the graph (Apple's code uses the configured
 * maximum sequence length, not the keys of one call). Without the bias the output grows with n.
 */
export function sigmoid(options: { bias?: HeadParameter } = {}): Normalizer {
  checkOptions('sigmoid', options, ['bias']);
  return genuinePart(
    Object.freeze({
      kind: 'normalizer',
      name: 'sigmoid',
      bias: options.bias === undefined ? undefined : headParameter(options.bias, 'sigmoid', 'bias'),
    }),
  );
}

/**
 * How Top-θ accounts for the pruned scores (Berestizshevsky et al., catalog #114):
 * - `none`: softmax over the kept scores only (denominator Σ_kept);
 * - `denominator` (SDC): the denominator is the full softmax denominator over every visible key,
 *   so the kept weights sum to less than 1;
 * - `valueMean` (VMC): full-denominator weights p_ij on the kept keys, plus the missing mass
 *   (1 − Σ_kept p_ij) times v̄_i, the mean of the visible value rows.
 */
export type ThresholdCompensation = 'none' | 'denominator' | 'valueMean';

/** Options of {@link topTheta}. */
export interface TopThetaOptions {
  /**
   * Calibrated thresholds θ: a `[heads]` tensor (one per head) or `[heads, queries]` (one per head
   * and query row, read at the query index q of the call, as calibrated for causal prefill).
   */
  readonly threshold: TensorRef;
  /** Compensation policy (default `none`). */
  readonly compensation?: ThresholdCompensation;
}

/**
 * Top-θ attention (Berestizshevsky, Andri & Cavigelli, "Top-Theta Attention: Sparsifying
 * Transformers by Compensated Thresholding", arXiv 2502.08363, catalog #114): a key is kept when
 * the mask keeps it and s_ij ≥ θ_{h,i}; p_ij = exp(s_ij − m_i)/Z_i over the kept keys, m_i the max
 * of the visible scores, and `compensation` chooses Z_i and the epilogue (see
 * {@link ThresholdCompensation}). A row with no visible key gives 0; a row with visible keys but
 * none above θ gives 0 under `none` and `denominator`, and v̄_i under `valueMean`. One online pass
 * in the kernel: running max over the visible scores, full and kept sums, kept accumulator and
 * (VMC) the value sum. θ's shape is checked against the call (heads, queries) when the spec is
 * applied.
 *
 * @example
 * ```ts
 * const theta = tensorRef('layer0.theta', [8]);
 * attention({ heads: 8, headDim: 64, mask: causal(), normalizer: topTheta({ threshold: theta, compensation: 'valueMean' }) });
 * ```
 */
export function topTheta(options: TopThetaOptions): Normalizer {
  checkOptions('topTheta', options, ['threshold', 'compensation'], true);
  const threshold = checkTensorRef('topTheta', 'option "threshold"', options.threshold);
  if (threshold.shape.length !== 1 && threshold.shape.length !== 2)
    throw new SpecError('topTheta: threshold is a [heads] or [heads, queries] tensor', {
      tensor: threshold.name,
      expected: 'rank 1 or 2',
      actual: `rank ${threshold.shape.length}`,
    });
  if (threshold.dtype !== 'f32')
    throw new SpecError('topTheta: threshold must be f32', {
      tensor: threshold.name,
      expected: 'f32',
      actual: threshold.dtype,
    });
  const compensation = options.compensation ?? 'none';
  if (compensation !== 'none' && compensation !== 'denominator' && compensation !== 'valueMean')
    throw new SpecError('topTheta: unknown compensation', {
      tensor: threshold.name,
      expected: "'none' | 'denominator' | 'valueMean'",
      actual: String(compensation),
    });
  return genuinePart(Object.freeze({ kind: 'normalizer', name: 'topTheta', threshold, compensation }));
}

/**
 * The coefficient c of the feature term β_i = (c·μ/p)·α_i of {@link pLaplacian}: `2` follows the
 * pGNN paper's update (and the catalog entry), `4` the released pGNN code (`beta = 4*mu/p * alpha`).
 */
export type PLaplacianAnchorScale = 2 | 4;

/** Options of {@link pLaplacian}. */
export interface PLaplacianOptions {
  /**
   * The query-side node features x_i, a `[batch, heads, queries, valueDim]` tensor (p-Adapter uses
   * the projected queries, which must then live in the value space). Its shape is checked against
   * the call when the spec is applied.
   */
  readonly features: TensorRef;
  /** The p of the p-Laplacian (number or `[heads]` tensor); p = 2 gives softmax attention mixed with x. */
  readonly p: HeadParameter;
  /** The regularization weight μ ≥ 0 pulling each output towards its feature row (number or `[heads]` tensor). */
  readonly mu: HeadParameter;
  /**
   * ε > 0 added to the squared distance, so that p < 2 stays finite at distance 0 (default 1e-6).
   * pGNN's code uses no ε and sets infinite weights to 0 instead; the ε form is this library's choice.
   */
  readonly epsilon?: number;
  /** c of the feature term (default 2, see {@link PLaplacianAnchorScale}). */
  readonly anchorScale?: PLaplacianAnchorScale;
}

/**
 * p-Laplacian re-weighting of attention (p-Adapter, Wu et al., "p-Laplacian Adaptation for
 * Generative Pre-trained Vision-Language Models", arXiv 2312.10613, catalog #64), after pGNN's
 * message passing (Fu et al., arXiv 2111.07337). With A_ij the softmax weights of the kept scores,
 * x_i the feature row and v_j the value rows:
 * M_ij = A_ij·(‖x_i − v_j‖² + ε)^{(p−2)/2}, α_i = 1/(Σ_j M_ij + 2μ/p),
 * o_i = α_i Σ_j M_ij v_j + (c·μ/p)·α_i·x_i, with c = `anchorScale` (2 by default). A row with no
 * kept key has Σ_j M_ij = 0; a row whose denominator is 0 (μ = 0 and no kept key) gives 0. The
 * fused kernel needs one online pass: the running max rescales l = Σ e^{s−m}, w = Σ e^{s−m}g_ij and
 * acc = Σ e^{s−m}g_ij·v_j, and Σ_j M_ij = w/l; the partial states merge like softmax's, so decoding
 * uses the split-keys kernel. The bottleneck adapter p-Adapter applies afterwards (down-projection,
 * activation, up-projection, residual) is ordinary graph ops after the attention node.
 *
 * Unverified against the p-Adapter code (not located): the graph gradient without pGNN's degree
 * normalization and √A_ij factor (attention rows are already normalized, and √A_ij inside the norm
 * would need the row's softmax total before any weight), the ε form and the choice of c.
 *
 * @example
 * ```ts
 * const projectedQueries = tensorRef('layer0.xq', [1, 8, 77, 64]);
 * attention({ heads: 8, headDim: 64, normalizer: pLaplacian({ features: projectedQueries, p: 1.5, mu: 0.5 }) });
 * ```
 */
export function pLaplacian(options: PLaplacianOptions): Normalizer {
  checkOptions('pLaplacian', options, ['features', 'p', 'mu', 'epsilon', 'anchorScale'], true);
  const features = checkTensorRef('pLaplacian', 'option "features"', options.features);
  if (features.shape.length !== 4)
    throw new SpecError('pLaplacian: features is a [batch, heads, queries, valueDim] tensor', {
      tensor: features.name,
      expected: 'rank 4',
      actual: `rank ${features.shape.length}`,
    });
  if (features.dtype !== 'f32')
    throw new SpecError('pLaplacian: features must be f32', {
      tensor: features.name,
      expected: 'f32',
      actual: features.dtype,
    });
  // Type checks (a number or a tensor reference) before the range checks of numbers.
  const p = headParameter(options.p, 'pLaplacian', 'p');
  const mu = headParameter(options.mu, 'pLaplacian', 'mu');
  if (typeof options.p === 'number' && !(options.p > 0))
    throw new SpecError('pLaplacian: p must be > 0', { expected: '> 0', actual: options.p });
  if (typeof options.mu === 'number' && !(options.mu >= 0))
    throw new SpecError('pLaplacian: mu must be >= 0', { expected: '>= 0', actual: options.mu });
  const epsilon = options.epsilon ?? 1e-6;
  if (!(epsilon > 0) || !Number.isFinite(epsilon))
    throw new SpecError('pLaplacian: epsilon must be a finite number > 0', {
      expected: '> 0',
      actual: epsilon,
    });
  const anchorScale = options.anchorScale ?? 2;
  if (anchorScale !== 2 && anchorScale !== 4)
    throw new SpecError('pLaplacian: anchorScale is 2 or 4', {
      expected: '2 | 4',
      actual: describeValue(anchorScale),
    });
  return genuinePart(
    Object.freeze({ kind: 'normalizer', name: 'pLaplacian', features, p, mu, epsilon, anchorScale }),
  );
}

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
 * Inference-time retrieval (top-k landmark blocks from a KV cache) is out of scope: this is the
 * dense form over the keys of the call.
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
  return genuinePart(Object.freeze({ kind: 'normalizer', name: 'groupedSoftmax', blockSize }));
}
