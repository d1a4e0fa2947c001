import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import { ATTENTION_INDICES } from './attention-variables.js';

/**
 * How scores of a row become weights. Every parameter is an Expr over the head index `h` (a
 * constant, or a read of a `[heads]` tensor), so learned per-head values need no special case.
 * - `softmax`: exp(s − m)/Σ, optional sink logit added to the denominator (gpt-oss; off-by-one = sink 0).
 * - `sigmoid`: σ(s + bias), no row statistics (FlashSigmoid).
 * - `reluSquared`: relu(s)² / Nk (ReLU² attention divided by the key count).
 * - `l1`: f(s) / Σ f(s) with f = relu or softplus (LSSA without its length scale).
 * - `entmax`: α-entmax, [(α−1)s − τ]₊^{1/(α−1)} with τ by bisection (α = 2: sparsemax).
 * - `nap`: standardization of the kept scores, g·(s − μ)/σ + b (NAP).
 * - `identity`: the scores themselves, no division; the output row is normalized instead (TransNormer).
 */
export type Normalizer =
  | { readonly kind: 'normalizer'; readonly name: 'softmax'; readonly sink: Expr | undefined }
  | { readonly kind: 'normalizer'; readonly name: 'sigmoid'; readonly bias: Expr | undefined }
  | { readonly kind: 'normalizer'; readonly name: 'reluSquared' }
  | { readonly kind: 'normalizer'; readonly name: 'l1'; readonly map: 'relu' | 'softplus' }
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
    };

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
  return Object.freeze({ kind: 'normalizer', name: 'l1', map: 'relu' });
}

/**
 * Softplus with l1 row normalization (LSSA without its length-dependent scale, catalog #113):
 * softplus(s) / Σ softplus(s).
 */
export function softplusNormalized(): Normalizer {
  return Object.freeze({ kind: 'normalizer', name: 'l1', map: 'softplus' });
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

/** Names of normalizers the catalog lists that this version does not provide yet. */
export const NORMALIZERS_NOT_YET = ['lssaLengthScale', 'lssaReweighting', 'groupedSoftmax'] as const;

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
