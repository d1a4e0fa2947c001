import { SpecError } from '@weft/ir';
import { type HeadParameter, headParameter } from './head-parameter.js';
import type { Normalizer } from './normalizers.js';
import { checkOptions, genuinePart } from './validate.js';

/**
 * The norm over the value dim of each output row of {@link identity}: `rms` x/√(mean(x²) + ε),
 * `layer` (x − μ)/√(var(x) + ε) (population variance, no affine), or `none`.
 */
export type OutputNorm = 'rms' | 'layer' | 'none';

/**
 * α-entmax (Correia et al., catalog #90): p = [(α−1)s − τ]₊^{1/(α−1)}, τ such that Σp = 1, found by
 * bisection. α in (1, 2]; a number or a learned `[heads]` tensor (values outside (1, 2] are clamped
 * to [1.01, 2] at run time, like the reference code's `AlphaChooser`).
 */
export function entmax(options: { alpha: HeadParameter }): Normalizer {
  checkOptions('entmax', options, ['alpha'], true);
  const alpha = headParameter(options.alpha, 'entmax', 'alpha');
  if (typeof options.alpha === 'number' && !(options.alpha > 1 && options.alpha <= 2)) {
    throw new SpecError('entmax: alpha must lie in (1, 2]', {
      expected: '1 < alpha <= 2',
      actual: options.alpha,
    });
  }
  return genuinePart(Object.freeze({ kind: 'normalizer', name: 'entmax', alpha }));
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
  checkOptions('nap', options, ['gain', 'bias', 'epsilon']);
  const epsilon = options.epsilon ?? 1e-3;
  if (!(epsilon >= 0) || !Number.isFinite(epsilon))
    throw new SpecError('nap: epsilon must be a finite number >= 0', { expected: '>= 0', actual: epsilon });
  return genuinePart(
    Object.freeze({
      kind: 'normalizer',
      name: 'nap',
      gain: headParameter(options.gain ?? 1, 'nap', 'gain'),
      bias: headParameter(options.bias ?? 0, 'nap', 'bias'),
      epsilon,
    }),
  );
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
  checkOptions('identity', options, ['outputNorm', 'epsilon']);
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
  return genuinePart(Object.freeze({ kind: 'normalizer', name: 'identity', outputNorm, epsilon }));
}
