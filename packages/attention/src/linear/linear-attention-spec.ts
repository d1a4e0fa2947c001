import { SpecError } from '@weft/ir';
import type { FeatureExpansion } from './feature-expansions.js';
import { elu1, type FeatureMap } from './feature-maps.js';
import type { LinearDecay } from './linear-decay.js';
import { checkOutputNorm, type LinearOutputNorm } from './output-norm.js';

/** The denominator of linear attention: o_i = num_i / (Σ_j w_ij + ε). */
export interface LinearDenominator {
  /** ε added to the denominator (>= 0). */
  readonly epsilon: number;
}

/** Options of {@link linearAttention}. */
export interface LinearAttentionOptions {
  /** Query, key and value heads (one layout for all three). */
  readonly heads: number;
  /** Query and key dim d_k. */
  readonly headDim: number;
  /** Value dim d_v (default `headDim`). */
  readonly valueDim?: number;
  /** φ, applied to queries and keys (default {@link elu1}). */
  readonly featureMap?: FeatureMap;
  /**
   * A row-wise feature map (Taylor features, …) applied to queries and keys before φ: the op
   * then works on its `featureDim(headDim)` features (default none).
   */
  readonly featureExpansion?: FeatureExpansion;
  /** Divide by Σ_j w_ij + ε (default `{ epsilon: 1e-6 }`), or `false` for none (retention, Lightning). */
  readonly denominator?: LinearDenominator | false;
  /** A constant decay per head (causal only; default none). */
  readonly decay?: LinearDecay;
  /**
   * A data-dependent gate per position and key dimension (GLA, ReGLA; causal only, default
   * false): S_t = diag(g_t) S_{t−1} + φ(k_t) v_tᵀ, with g_t `[B, H, N, d_k]` in (0, 1] passed to
   * `applyLinearAttention` as `gate`. Not with `decay` (fold a constant rate into the gate).
   */
  readonly gated?: boolean;
  /**
   * Normalize each position's output (TransNormer's NormAttention, usually without a
   * denominator; default none): a fused norm kernel after the linear-attention kernel.
   */
  readonly outputNorm?: LinearOutputNorm;
  /** Query i sees keys j ≤ i (default false: every key). */
  readonly causal?: boolean;
  /**
   * Positions per chunk of the causal kernel's sweep (1–64, default 32); the kernel lowers it where
   * the chunk's keys do not fit workgroup memory (large d_k). The result does not depend on it.
   */
  readonly chunkSize?: number;
  /** Block name for errors and kernel labels (default `linear-attention`). */
  readonly name?: string;
}

/** A validated linear-attention spec (see {@link linearAttention}). */
export interface LinearAttentionSpec {
  /** Discriminant. */
  readonly kind: 'linear-attention';
  /** Block name (errors, kernel labels). */
  readonly name: string;
  /** Heads of queries, keys and values. */
  readonly heads: number;
  /** d_k. */
  readonly headDim: number;
  /** d_v. */
  readonly valueDim: number;
  /** φ. */
  readonly featureMap: FeatureMap;
  /** The row-wise feature map before φ, or `null` for none. */
  readonly featureExpansion: FeatureExpansion | null;
  /** Features per query/key row that the op sees: `headDim`, or the expansion's feature count. */
  readonly featureDim: number;
  /** The denominator, or `null` for none. */
  readonly denominator: LinearDenominator | null;
  /** The decay, or `null` for none. */
  readonly decay: LinearDecay | null;
  /** Whether the state is gated per position and key dimension by a `gate` operand. */
  readonly gated: boolean;
  /** The output norm, or `null` for none. */
  readonly outputNorm: LinearOutputNorm | null;
  /** Whether query i sees only keys j ≤ i. */
  readonly causal: boolean;
  /** Positions per chunk of the causal sweep. */
  readonly chunkSize: number;
}

/** Default positions per chunk of the causal sweep. */
export const DEFAULT_LINEAR_CHUNK = 32;
/** Largest chunk: one invocation per query of a chunk, in a workgroup of 64. */
export const MAX_LINEAR_CHUNK = 64;
/** Largest d_k (or feature count of an expansion): each invocation keeps its φ(q) row in registers. */
export const MAX_LINEAR_HEAD_DIM = 256;

/**
 * Linear attention as a value: with the denominator on,
 * o_i = Σ_{j∈K(i)} γ^(i−j) φ(q_i)·φ(k_j) v_j / (Σ_{j∈K(i)} γ^(i−j) φ(q_i)·φ(k_j) + ε),
 * K(i) = every key, or j ≤ i when causal; without it, the numerator alone; with `outputNorm`,
 * each position's output then normalized (TransNormer's NormAttention). It runs as O(N·d²)
 * kernels: non-causal through the state S = Σ φ(k_j) v_jᵀ, z = Σ φ(k_j); causal as a chunked sweep
 * (quadratic inside a chunk, state passed between chunks); and as a recurrent step on a state
 * `[B, H, d_k, d_v]` (+ `[B, H, d_k]`) for decoding (see `applyLinearAttention`).
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: elu1(), causal: true });
 * const { output } = applyLinearAttention(spec, { query, key, value });
 * ```
 * @throws SpecError naming the block and the option when an option is out of range.
 */
export function linearAttention(options: LinearAttentionOptions): LinearAttentionSpec {
  const name = options.name ?? 'linear-attention';
  const fail = (option: string, expected: string, actual: unknown) =>
    new SpecError(`linear attention "${name}": ${option} must be ${expected}`, {
      block: name,
      dimension: option,
      expected,
      actual,
    });
  const integerIn = (option: string, value: number, low: number, high: number) => {
    if (!Number.isInteger(value) || value < low || value > high)
      throw fail(option, `an integer in [${low}, ${high}]`, value);
  };
  integerIn('heads', options.heads, 1, 1024);
  integerIn('headDim', options.headDim, 1, MAX_LINEAR_HEAD_DIM);
  const valueDim = options.valueDim ?? options.headDim;
  integerIn('valueDim', valueDim, 1, 4096);
  const chunkSize = options.chunkSize ?? DEFAULT_LINEAR_CHUNK;
  integerIn('chunkSize', chunkSize, 1, MAX_LINEAR_CHUNK);
  const featureExpansion = options.featureExpansion ?? null;
  const featureDim =
    featureExpansion === null ? options.headDim : featureExpansion.featureDim(options.headDim);
  if (featureExpansion !== null)
    integerIn(
      `features of ${featureExpansion.name} (headDim ${options.headDim})`,
      featureDim,
      1,
      MAX_LINEAR_HEAD_DIM,
    );
  const denominator = options.denominator === false ? null : (options.denominator ?? { epsilon: 1e-6 });
  if (denominator !== null && !(Number.isFinite(denominator.epsilon) && denominator.epsilon >= 0))
    throw fail('denominator.epsilon', 'a finite number >= 0', denominator.epsilon);
  const decay = options.decay ?? null;
  const causal = options.causal ?? false;
  if (decay !== null) {
    if (!causal) throw fail('decay', 'used with causal: true (γ^(i−j) needs i >= j)', 'causal: false');
    if (decay.rates.length !== options.heads)
      throw fail('decay', `one rate per head (${options.heads})`, `${decay.rates.length} rates`);
  }
  const gated = options.gated ?? false;
  if (gated && !causal)
    throw fail('gated', 'used with causal: true (the gate runs along positions)', 'causal: false');
  if (gated && decay !== null)
    throw fail('gated', 'used without decay (fold the rate into the gate)', 'a decay');
  const outputNorm = options.outputNorm ?? null;
  if (outputNorm !== null) checkOutputNorm(outputNorm, name);
  return {
    kind: 'linear-attention',
    name,
    heads: options.heads,
    headDim: options.headDim,
    valueDim,
    featureMap: options.featureMap ?? elu1(),
    featureExpansion,
    featureDim,
    denominator,
    decay,
    gated,
    outputNorm,
    causal,
    chunkSize,
  };
}
