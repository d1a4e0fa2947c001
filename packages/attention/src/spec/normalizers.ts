import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import { ATTENTION_INDICES } from './attention-variables.js';

/**
 * How scores of a row become weights. Every parameter is an Expr over the head index `h` (a
 * constant, or a read of a `[heads]` tensor), so learned per-head values need no special case.
 * - `softmax`: exp(s − m)/Σ, optional sink logit added to the denominator (gpt-oss; off-by-one = sink 0).
 * - `sigmoid`: σ(s + bias), no row statistics (FlashSigmoid).
 * - `reluSquared`: relu(s)² / Nk (ReLU² attention divided by the key count).
 * - `l1`: f(c_i·s) / Σ f(c_i·s) with f = relu, softplus or a Taylor polynomial (FAST), an optional
 *   length scale c_i (LSSA) and an optional re-weighting stage (LSSAR).
 * - `topTheta`: softmax over the scores at or above a calibrated threshold, with a compensation
 *   policy; the threshold stays a tensor (`[heads]` or `[heads, queries]`) so that its shape is
 *   checked against the call.
 * - `entmax`: α-entmax, [(α−1)s − τ]₊^{1/(α−1)} with τ by bisection (α = 2: sparsemax).
 * - `nap`: standardization of the kept scores, g·(s − μ)/σ + b (NAP).
 * - `identity`: the scores themselves, no division; the output row is normalized instead (TransNormer).
 * - `groupedSoftmax`: Landmark Attention's grouped softmax (a landmark closes every block of keys).
 * - `pLaplacian`: softmax weights re-weighted by a power of the distance between a query-side
 *   feature row and each value row, renormalized with a pull towards the feature row (p-Adapter).
 */
export type Normalizer =
  | { readonly kind: 'normalizer'; readonly name: 'softmax'; readonly sink: Expr | undefined }
  | { readonly kind: 'normalizer'; readonly name: 'sigmoid'; readonly bias: Expr | undefined }
  | { readonly kind: 'normalizer'; readonly name: 'reluSquared' }
  | {
      readonly kind: 'normalizer';
      readonly name: 'l1';
      readonly map: L1Map;
      readonly lengthScale: LengthScale;
      readonly reweight: Reweight | undefined;
    }
  | {
      readonly kind: 'normalizer';
      readonly name: 'topTheta';
      readonly threshold: TensorRef;
      readonly compensation: ThresholdCompensation;
    }
  | { readonly kind: 'normalizer'; readonly name: 'entmax'; readonly alpha: Expr }
  | {
      readonly kind: 'normalizer';
      readonly name: 'nap';
      readonly gain: Expr;
      readonly bias: Expr;
      readonly epsilon: number;
    }
  | {
      readonly kind: 'normalizer';
      readonly name: 'identity';
      readonly outputNorm: OutputNorm;
      readonly epsilon: number;
    }
  | {
      readonly kind: 'normalizer';
      readonly name: 'pLaplacian';
      readonly features: TensorRef;
      readonly p: Expr;
      readonly mu: Expr;
      readonly epsilon: number;
      readonly anchorScale: PLaplacianAnchorScale;
    }
  | { readonly kind: 'normalizer'; readonly name: 'groupedSoftmax'; readonly blockSize: number };

/**
 * The norm over the value dim of each output row of {@link identity}: `rms` x/√(mean(x²) + ε),
 * `layer` (x − μ)/√(var(x) + ε) (population variance, no affine), or `none`.
 */
export type OutputNorm = 'rms' | 'layer' | 'none';

/** A number or a `[heads]` tensor: a per-head parameter. */
export type HeadParameter = number | TensorRef;

/**
 * Softmax over keys (online, FlashAttention-2 style). `sink`: a learned sink logit per head (or one
 * number) added to the denominator only, as in gpt-oss and "off-by-one" softmax (sink 0).
 */
export function softmax(options: { sink?: HeadParameter } = {}): Normalizer {
  return Object.freeze({
    kind: 'normalizer',
    name: 'softmax',
    sink: options.sink === undefined ? undefined : headParameter(options.sink, 'softmax', 'sink'),
  });
}

/**
 * Sigmoid attention (Ramapuram et al., catalog #21): weights σ(s + bias), no normalization.
 * Default bias −log(n) with n the maximum key length of the graph (Apple's code uses the configured
 * maximum sequence length, not the keys of one call). Without the bias the output grows with n.
 */
export function sigmoid(options: { bias?: HeadParameter } = {}): Normalizer {
  return Object.freeze({
    kind: 'normalizer',
    name: 'sigmoid',
    bias: options.bias === undefined ? undefined : headParameter(options.bias, 'sigmoid', 'bias'),
  });
}

/** ReLU² attention: weights relu(s)² / Nk (Nk = keys of the call). */
export function reluSquared(): Normalizer {
  return Object.freeze({ kind: 'normalizer', name: 'reluSquared' });
}

/** ReLU with l1 row normalization: relu(s) / Σ relu(s) (rows with no positive score give 0). */
export function reluNormalized(): Normalizer {
  return l1Normalizer('relu', 'none', undefined);
}

/**
 * Softplus with l1 row normalization, and optionally LSSA's length scale and LSSAR's re-weighting
 * (Gao & Spratling, "Softplus Attention with Re-weighting Boosts Length Extrapolation in Large
 * Language Models", arXiv 2501.13428, catalog #113):
 *
 * - LSSA: A_ij = softplus(c_i·s_ij) / Σ_{j' kept} softplus(c_i·s_ij'), where c_i depends on N_i,
 *   the number of keys row i keeps (i + 1 under `causal()`, counted from the mask in the kernel).
 * - LSSAR: A'_ij = g(A_ij, N_i) / Σ_{j' kept} g(A_ij', N_i), then O = A'V.
 *
 * Without options this is plain softplus(s)/Σ softplus(s). The paper's code is not public, so the
 * exact c_i and g are unverified (catalog "Known ambiguities"); both are options, see
 * {@link SoftplusNormalizedOptions}. A row with no kept key, or whose re-weighted row sums to 0,
 * gives 0. The fused kernel counts N_i in one pass over the keys when the length scale or the
 * `reluPower` form needs it, and re-weighting adds one more pass (the row sum comes first); such
 * rows do not use the split-keys decode kernel.
 *
 * @example
 * ```ts
 * // LSSAR with c_i = ln N_i and g = A^2 (the defaults of the two options)
 * attention({ heads: 8, headDim: 64, mask: causal(), normalizer: softplusNormalized({ lengthScale: 'log', reweight: {} }) });
 * ```
 */
export function softplusNormalized(options: SoftplusNormalizedOptions = {}): Normalizer {
  const lengthScale = options.lengthScale ?? 'none';
  if (
    lengthScale !== 'none' &&
    lengthScale !== 'log' &&
    !(typeof lengthScale === 'number' && Number.isFinite(lengthScale) && lengthScale > 1)
  )
    throw new SpecError('softplusNormalized: lengthScale is "none", "log" or a log base > 1', {
      expected: "'none' | 'log' | number > 1",
      actual: String(lengthScale),
    });
  let reweight: Reweight | undefined;
  if (options.reweight !== undefined) {
    const form = options.reweight.form ?? 'power';
    const power = options.reweight.power ?? 2;
    if (form !== 'power' && form !== 'reluPower')
      throw new SpecError('softplusNormalized: unknown reweight form', {
        expected: "'power' | 'reluPower'",
        actual: String(form),
      });
    if (!(power > 0) || !Number.isFinite(power))
      throw new SpecError('softplusNormalized: reweight power must be a finite number > 0', {
        expected: '> 0',
        actual: power,
      });
    reweight = Object.freeze({ form, power });
  }
  return l1Normalizer('softplus', lengthScale, reweight);
}

/** Options of {@link softplusNormalized} (LSSA / LSSAR, catalog #113). */
export interface SoftplusNormalizedOptions {
  /**
   * The row scale c_i applied to the scores before softplus. `'none'`: c_i = 1. `'log'`:
   * c_i = ln N_i, the catalog's reading of "a dynamic scale factor based on invariance entropy"
   * growing like log N_i. A number b > 1: c_i = log_b N_i = ln N_i / ln b, the entropy-invariant
   * scale of Su's "log n" attention (b = training length, e.g. 512, gives c_i = 1 at that length).
   * Default `'none'`. Unverified against the paper's code.
   */
  readonly lengthScale?: LengthScale;
  /** LSSAR's re-weighting stage (default none). */
  readonly reweight?: Partial<Reweight>;
}

/** The row scale of LSSA (see {@link SoftplusNormalizedOptions.lengthScale}). */
export type LengthScale = 'none' | 'log' | number;

/**
 * LSSAR's re-weighting g(A_ij, N_i), renormalized over the row:
 * - `power` (default): g = A^p, the power sharpening in the catalog entry's summary;
 * - `reluPower`: g = ReLU(N_i·A − 1)^p, which keeps only weights above the uniform 1/N_i (the
 *   catalog entry's other reading; a row whose weights are all uniform, such as a row with a single
 *   key, gives 0).
 *
 * Both forms are unverified against the paper's code.
 */
export interface Reweight {
  /** The form of g (default `power`). */
  readonly form: 'power' | 'reluPower';
  /** The power p > 0 (default 2). */
  readonly power: number;
}

/** The map f of an l1-normalized normalizer. */
export type L1Map = 'relu' | 'softplus' | 'polynomial1' | 'polynomial2';

/** Options of {@link polynomialNormalized}. */
export interface PolynomialNormalizedOptions {
  /** Degree p of the Taylor polynomial of exp (default 2). */
  readonly degree?: 1 | 2;
}

/**
 * FAST / Fastmax, quadratic form (Gerami et al. 2024, "Fast Attention Sampling Technique",
 * catalog #26): the Taylor polynomial of exp as the map of an l1 normalization,
 * A_ij = f(s_ij) / Σ_{l kept} f(s_il), with f(s) = 1 + s (degree 1) or 1 + s + s²/2 (degree 2).
 * Degree 2 is ≥ 1/2 everywhere; degree 1 is negative for s < −1, which the paper's query/key
 * normalization prevents (`fastmaxQueryKeyNorm` applies it to Q and K): with it the
 * paper uses T = 1 (`score: scale(1)`), otherwise T = 8√d (`score: scale(1 / (8 * Math.sqrt(d)))`).
 * A row whose f-sum is ≤ 0 (or that keeps no key) gives 0. The factorized linear-time form,
 * Σ_j f(s_ij)v_j = Σ_j v_j + q_iᵀ(Σ_j k_j v_jᵀ)/T + vec(q_iq_iᵀ)ᵀ(Σ_j vec(k_jk_jᵀ)v_jᵀ)/(2T²),
 * belongs to linear attention (catalog group G4) and is not this normalizer: this one computes the
 * same weights in the quadratic (FlashAttention-like) form, exactly, for any mask.
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, score: scale(1), mask: causal(), normalizer: polynomialNormalized({ degree: 2 }) });
 * ```
 */
export function polynomialNormalized(options: PolynomialNormalizedOptions = {}): Normalizer {
  const degree = options.degree ?? 2;
  if (degree !== 1 && degree !== 2)
    throw new SpecError('polynomialNormalized: degree must be 1 or 2', { expected: '1 | 2', actual: degree });
  return l1Normalizer(degree === 1 ? 'polynomial1' : 'polynomial2', 'none', undefined);
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
  const threshold = options.threshold;
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
  return Object.freeze({ kind: 'normalizer', name: 'topTheta', threshold, compensation });
}

/**
 * α-entmax (Correia et al., catalog #90): p = [(α−1)s − τ]₊^{1/(α−1)}, τ such that Σp = 1, found by
 * bisection. α in (1, 2]; a number or a learned `[heads]` tensor (values outside (1, 2] are clamped
 * to [1.01, 2] at run time, like the reference code's `AlphaChooser`).
 */
export function entmax(options: { alpha: HeadParameter }): Normalizer {
  if (typeof options.alpha === 'number' && !(options.alpha > 1 && options.alpha <= 2)) {
    throw new SpecError('entmax: alpha must lie in (1, 2]', {
      expected: '1 < alpha <= 2',
      actual: options.alpha,
    });
  }
  return Object.freeze({
    kind: 'normalizer',
    name: 'entmax',
    alpha: headParameter(options.alpha, 'entmax', 'alpha'),
  });
}

/** Sparsemax (Martins & Astudillo): α-entmax with α = 2, the Euclidean projection onto the simplex. */
export function sparsemax(): Normalizer {
  return entmax({ alpha: 2 });
}

/** Options of {@link nap}. */
export interface NapOptions {
  /** Per-head gain g_h (number or `[heads]` tensor; default 1, the paper's init). */
  readonly gain?: HeadParameter;
  /** Per-head offset b_h (number or `[heads]` tensor; default 0, the paper's init). */
  readonly bias?: HeadParameter;
  /** Added to the standard deviation, not the variance (default 1e-3, as in the reference code). */
  readonly epsilon?: number;
}

/**
 * NAP, normalized attention without the probability cage (Richter & Wattenhofer, catalog #8):
 * the kept scores of a row are standardized, weights
 * w_ij = g_h·(s_ij − μ_i)/σ_i + b_h with c_i = kept keys, μ_i = Σ s_ij / c_i,
 * σ_i = √(Σ (s_ij − μ_i)² / c_i) + ε. Weights may be negative; masked keys weigh 0. The kernel
 * makes a statistics pass over the keys (Welford) before the output pass. The paper uses no
 * 1/√d: pair it with `score: scale(1)`.
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, score: scale(1), normalizer: nap({ gain: tensorRef('g', [8]) }) });
 * ```
 */
export function nap(options: NapOptions = {}): Normalizer {
  const epsilon = options.epsilon ?? 1e-3;
  if (!(epsilon >= 0) || !Number.isFinite(epsilon))
    throw new SpecError('nap: epsilon must be a finite number >= 0', { expected: '>= 0', actual: epsilon });
  return Object.freeze({
    kind: 'normalizer',
    name: 'nap',
    gain: headParameter(options.gain ?? 1, 'nap', 'gain'),
    bias: headParameter(options.bias ?? 0, 'nap', 'bias'),
    epsilon,
  });
}

/** Options of {@link identity}. */
export interface IdentityOptions {
  /** Norm of each output row over the value dim (default `rms`, TransNormerLLM's SRMSNorm). */
  readonly outputNorm?: OutputNorm;
  /**
   * ε added to the mean square (variance) under the root. The catalog entries (#49, #63) name none;
   * the default 1e-5 is LayerNorm's.
   */
  readonly epsilon?: number;
}

/**
 * Identity normalizer with an output norm: TransNormer's NormAttention (catalog #49) and the
 * quadratic form of Lightning attention / TransNormerLLM (catalog #63). Weights are the final
 * (scaled, modded) scores themselves, masked keys weigh 0, and nothing divides the row:
 * o_i = Σ_{j kept} s_ij v_j. Each output row is then normalized over the value dim,
 * `rms`: o/√(mean(o²) + ε), `layer`: (o − μ)/√(var(o) + ε), without a learned gain (multiply by
 * one after the op). A row with no kept key is 0, and the norm of a zero row is defined as 0 (so
 * ε = 0 gives no NaN). Pair it with `score: scale(1)` and a feature map folded into Q and K for the
 * paper's φ(Q)φ(K)ᵀ; the causal form uses `causal()`, DiagAttention's block-diagonal form `chunked(w)`.
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, score: scale(1), mask: causal(), normalizer: identity({ outputNorm: 'rms' }) });
 * ```
 */
export function identity(options: IdentityOptions = {}): Normalizer {
  const outputNorm = options.outputNorm ?? 'rms';
  if (outputNorm !== 'rms' && outputNorm !== 'layer' && outputNorm !== 'none')
    throw new SpecError('identity: unknown outputNorm', {
      expected: "'rms' | 'layer' | 'none'",
      actual: String(outputNorm),
    });
  const epsilon = options.epsilon ?? 1e-5;
  if (!(epsilon >= 0) || !Number.isFinite(epsilon))
    throw new SpecError('identity: epsilon must be a finite number >= 0', {
      expected: '>= 0',
      actual: epsilon,
    });
  return Object.freeze({ kind: 'normalizer', name: 'identity', outputNorm, epsilon });
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
  const features = options.features;
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
    throw new SpecError('pLaplacian: anchorScale is 2 or 4', { expected: '2 | 4', actual: anchorScale });
  return Object.freeze({
    kind: 'normalizer',
    name: 'pLaplacian',
    features,
    p: headParameter(options.p, 'pLaplacian', 'p'),
    mu: headParameter(options.mu, 'pLaplacian', 'mu'),
    epsilon,
    anchorScale,
  });
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
  const blockSize = options.blockSize;
  if (!Number.isInteger(blockSize) || blockSize < 1)
    throw new SpecError('groupedSoftmax: blockSize must be an integer >= 1', {
      expected: 'integer >= 1',
      actual: String(blockSize),
    });
  return Object.freeze({ kind: 'normalizer', name: 'groupedSoftmax', blockSize });
}

/** Names of normalizers the catalog lists that this version does not provide yet. */
export const NORMALIZERS_NOT_YET: readonly string[] = [];

function l1Normalizer(map: L1Map, lengthScale: LengthScale, reweight: Reweight | undefined): Normalizer {
  return Object.freeze({ kind: 'normalizer', name: 'l1', map, lengthScale, reweight });
}

function headParameter(value: HeadParameter, normalizer: string, option: string): Expr {
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new SpecError(`${normalizer}: ${option} must be finite`, { actual: value });
    return constant(value);
  }
  if (value.shape.length !== 1) {
    throw new SpecError(`${normalizer}: ${option} is a number or a [heads] tensor`, {
      tensor: value.name,
      expected: 'rank 1',
      actual: `rank ${value.shape.length}`,
    });
  }
  return value.at(value.shape[0] === 1 ? constant(0, 'i32') : ATTENTION_INDICES.h);
}
