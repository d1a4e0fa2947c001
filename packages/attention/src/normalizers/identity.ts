import { add, div, equal, matmul, mul, type Node, rsqrt, SpecError, sub, sum, where } from '@weft/ir';
import { checkOptions } from '../spec/validate.js';
import type { Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';
import { outputNormCode } from './output-norm-kernel.js';
import { checkStoredAttrs } from './stored-attrs.js';

/**
 * The norm over the value dim of each output row of {@link identity}: `rms` x/√(mean(x²) + ε),
 * `layer` (x − μ)/√(var(x) + ε) (population variance, no affine), or `none`.
 */
export type OutputNorm = 'rms' | 'layer' | 'none';

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
  return normalizerOf(IDENTITY, { outputNorm, epsilon });
}

/** The identity normalizer as stored on a node. */
export interface IdentityAttrs {
  /** Discriminant. */
  readonly name: 'identity';
  /** Norm of each output row. */
  readonly outputNorm: OutputNorm;
  /** ε under the root. */
  readonly epsilon: number;
}

/** The identity normalizer (see {@link identity}): partial sums add, the norm runs after the merge. */
export const IDENTITY: NormalizerDef<
  { readonly outputNorm: OutputNorm; readonly epsilon: number },
  IdentityAttrs
> = {
  name: 'identity',
  decode: (stored, block) =>
    checkStoredAttrs(stored, block, { outputNorm: ['rms', 'layer', 'none'], epsilon: 'number' }),
  attrs: (options) => ({ name: 'identity', outputNorm: options.outputNorm, epsilon: options.epsilon }),
  // No division: the output norm (applied to the summed row) fixes the scale.
  reference: (_, scores) => ({ weights: [...scores], logSumExp: -Infinity }),
  finishRow: (attrs, data, offset, dim) => normalizeOutputRow(attrs, data, offset, dim),
  decompose(attrs, context) {
    const probabilities = context.kept(context.score, 0);
    return { probabilities, output: () => normalizeOutput(matmul(probabilities, context.value), attrs) };
  },
  kernel: (attrs, context) => ({
    setup: [],
    passes: [{ before: [], withValues: true, tile: context.eachKeptKey(context.accumulate('s')), after: [] }],
    finish: outputNormCode(attrs, context.valueDim, 'acc'),
    outputScale: '1.0',
  }),
  splitKeys: {
    // Partial sums add; the norm needs the whole merged row, so it runs after the merge.
    code: (attrs, context) => ({
      setup: [],
      perKey: context.accumulate('s'),
      rescales: false,
      mergeMax: [],
      mergeInitial: '0.0',
      outputScale: '1.0',
      outputNorm: outputNormCode(attrs, context.valueDim, 'merged_row'),
    }),
  },
};

/** The output norm over the value dim, as IR ops; a zero denominator gives 0. */
function normalizeOutput(output: Node, normalizer: IdentityAttrs): Node {
  if (normalizer.outputNorm === 'none') return output;
  const dim = output.shape[3] as number;
  const centered =
    normalizer.outputNorm === 'layer' ? sub(output, div(sum(output, -1, { keepDims: true }), dim)) : output;
  const denominator = add(div(sum(mul(centered, centered), -1, { keepDims: true }), dim), normalizer.epsilon);
  return mul(centered, where(equal(denominator, 0), 0, rsqrt(denominator)));
}

/**
 * Applies the output norm of an `identity` normalizer to `data[offset .. offset + dim)` in place
 * (float64): `rms` x/√(mean(x²) + ε), `layer` (x − μ)/√(var(x) + ε). A zero denominator (a zero
 * row with ε = 0) gives 0.
 */
function normalizeOutputRow(
  normalizer: IdentityAttrs,
  data: Float64Array,
  offset: number,
  dim: number,
): void {
  if (normalizer.outputNorm === 'none') return;
  let mean = 0;
  if (normalizer.outputNorm === 'layer') {
    for (let d = 0; d < dim; d++) mean += data[offset + d]!;
    mean /= dim;
  }
  let squares = 0;
  for (let d = 0; d < dim; d++) squares += (data[offset + d]! - mean) ** 2;
  const denominator = squares / dim + normalizer.epsilon;
  const inverse = denominator > 0 ? 1 / Math.sqrt(denominator) : 0;
  for (let d = 0; d < dim; d++) data[offset + d] = (data[offset + d]! - mean) * inverse;
}
