import { SpecError } from '@weft/ir';
import { checkOptions } from '../spec/validate.js';
import { l1NormalizerCode, mapCode } from './l1-kernel.js';
import { l1Row } from './l1-row.js';
import { l1Weights } from './l1-weights.js';
import type { Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';
import { checkStoredAttrs } from './stored-attrs.js';

/**
 * ReLU with l1 row normalization: relu(s) / Σ relu(s) (rows with no positive score give 0).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: causal(), normalizer: reluNormalized() });
 * ```
 */
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
  checkOptions('softplusNormalized', options, ['lengthScale', 'reweight']);
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
    checkOptions('softplusNormalized', options.reweight, ['form', 'power'], true);
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
  checkOptions('polynomialNormalized', options, ['degree']);
  const degree = options.degree ?? 2;
  if (degree !== 1 && degree !== 2)
    throw new SpecError('polynomialNormalized: degree must be 1 or 2', { expected: '1 | 2', actual: degree });
  return l1Normalizer(degree === 1 ? 'polynomial1' : 'polynomial2', 'none', undefined);
}

function l1Normalizer(map: L1Map, lengthScale: LengthScale, reweight: Reweight | undefined): Normalizer {
  return normalizerOf(L1, { map, lengthScale, reweight });
}

/** An l1 normalizer's options, checked by its builders. */
export interface L1Options {
  /** The map f. */
  readonly map: L1Map;
  /** LSSA's row scale. */
  readonly lengthScale: LengthScale;
  /** LSSAR's re-weighting, if any. */
  readonly reweight: Reweight | undefined;
}

/** An l1 normalizer as stored on a node. */
export interface L1Attrs {
  /** Discriminant. */
  readonly name: 'l1';
  /** The map f. */
  readonly map: L1Map;
  /** Log base b of LSSA's row scale c_i = log_b N_i (e for ln); absent without a length scale. */
  readonly lengthBase?: number;
  /** LSSAR's re-weighting; absent without one. */
  readonly reweight?: Reweight;
}

/** The l1 normalizers (see {@link reluNormalized}, {@link softplusNormalized}, {@link polynomialNormalized}). */
export const L1: NormalizerDef<L1Options, L1Attrs> = {
  name: 'l1',
  decode(stored, block) {
    const attrs = checkStoredAttrs<L1Attrs>(
      stored,
      block,
      { map: ['relu', 'softplus', 'polynomial1', 'polynomial2'], lengthBase: 'number' },
      ['lengthBase'],
    );
    if (attrs.reweight !== undefined)
      checkStoredAttrs({ name: 'l1 reweight', ...attrs.reweight }, block, {
        form: ['power', 'reluPower'],
        power: 'number',
      });
    return attrs;
  },
  attrs: (options) => ({
    name: 'l1',
    map: options.map,
    ...(options.lengthScale === 'none'
      ? {}
      : { lengthBase: options.lengthScale === 'log' ? Math.E : options.lengthScale }),
    ...(options.reweight === undefined ? {} : { reweight: { ...options.reweight } }),
  }),
  reference: (attrs, scores) => ({ weights: l1Row(attrs, scores), logSumExp: -Infinity }),
  decompose: (attrs, context) => ({ probabilities: l1Weights(attrs, context.score, context.keep) }),
  kernel: l1NormalizerCode,
  splitKeys: {
    // LSSA's length scale and LSSAR's re-weighting need the row's kept-key count first.
    supports: (attrs) => attrs.lengthBase === undefined && attrs.reweight === undefined,
    code(attrs, context) {
      const map = mapCode(attrs.map, 's');
      return {
        setup: [],
        perKey: [`let w = ${map};`, 'l_run += w;', ...context.accumulate('w')],
        rescales: false,
        mergeMax: [],
        mergeInitial: '0.0',
        outputScale: 'select(0.0, 1.0 / merged_l, merged_l > 0.0)',
      };
    },
  },
};
