import { add, div, type Expr, mapElements, maximum, mul, SpecError, sub, sum, variable } from '@weft/ir';
import { type HeadParameter, headParameter } from '../spec/head-parameter.js';
import { checkOptions } from '../spec/validate.js';
import type { Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';
import { keptCount } from './row-count.js';
import { checkStoredAttrs } from './stored-attrs.js';
import { floatLiteral } from './wgsl-literal.js';

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
  return normalizerOf(NAP, {
    gain: headParameter(options.gain ?? 1, 'nap', 'gain'),
    bias: headParameter(options.bias ?? 0, 'nap', 'bias'),
    epsilon,
  });
}

/** NAP as stored on a node. */
export interface NapAttrs {
  /** Discriminant. */
  readonly name: 'nap';
  /** g_h, an Expr over `h`. */
  readonly gain: Expr;
  /** b_h, an Expr over `h`. */
  readonly bias: Expr;
  /** ε added to the standard deviation. */
  readonly epsilon: number;
}

/** The NAP normalizer (see {@link nap}); its statistics pass comes first, so it never splits. */
export const NAP: NormalizerDef<
  { readonly gain: Expr; readonly bias: Expr; readonly epsilon: number },
  NapAttrs
> = {
  name: 'nap',
  decode: (stored, block) =>
    checkStoredAttrs(stored, block, { gain: 'expr', bias: 'expr', epsilon: 'number' }),
  attrs: (options) => ({ name: 'nap', gain: options.gain, bias: options.bias, epsilon: options.epsilon }),
  reference: (attrs, scores, row) => ({
    weights: napRow(scores, row.evaluate(attrs.gain), row.evaluate(attrs.bias), attrs.epsilon),
    logSumExp: -Infinity,
  }),
  decompose(attrs, { score, keep, kept, lower }) {
    const safeCount = maximum(keptCount(score, keep), 1);
    const mean = div(sum(kept(score, 0), -1, { keepDims: true }), safeCount);
    const centered = sub(score, mean);
    const variance = div(sum(kept(mul(centered, centered), 0), -1, { keepDims: true }), safeCount);
    const deviation = mapElements([variance], variable('$0').apply('sqrt').add(attrs.epsilon));
    const gain = lower(attrs.gain, score);
    const bias = lower(attrs.bias, score);
    return { probabilities: kept(add(div(mul(gain, centered), deviation), bias), 0) };
  },
  kernel: (attrs, context) => ({
    setup: [
      ...context.parameter(attrs.gain, 'gain'),
      ...context.parameter(attrs.bias, 'bias'),
      'var count = 0.0;',
      'var mean = 0.0;',
      'var m2 = 0.0;',
      'var m2_scale = 1.0;',
    ],
    passes: [
      {
        // Welford's update: no cancellation when |μ| ≫ σ. m2 is kept in units of m2_scale², the
        // largest |s − μ| above 1 so far, so squares of scores near 1e30 do not overflow f32.
        before: [],
        withValues: false,
        tile: context.eachKeptKey([
          'count += 1.0;',
          'let delta = s - mean;',
          'if (abs(delta) > m2_scale) {',
          '  let ratio = m2_scale / abs(delta);',
          '  m2 *= ratio * ratio;',
          '  m2_scale = abs(delta);',
          '}',
          'mean += delta / count;',
          'm2 += (delta / m2_scale) * ((s - mean) / m2_scale);',
        ]),
        after: [`let deviation = m2_scale * sqrt(m2 / max(count, 1.0)) + ${floatLiteral(attrs.epsilon)};`],
      },
      {
        before: [],
        withValues: true,
        tile: context.eachKeptKey([
          'let w = gain * (s - mean) / deviation + bias;',
          ...context.accumulate('w'),
        ]),
        after: [],
      },
    ],
    finish: [],
    outputScale: '1.0',
  }),
};

/** NAP: g·(s − μ)/σ + b over the kept scores, σ the population standard deviation plus ε. */
function napRow(scores: readonly number[], gain: number, bias: number, epsilon: number): number[] {
  const count = scores.length;
  if (count === 0) return [];
  const mean = scores.reduce((sum, s) => sum + s, 0) / count;
  const deviation = Math.sqrt(scores.reduce((sum, s) => sum + (s - mean) ** 2, 0) / count) + epsilon;
  return scores.map((s) => (gain * (s - mean)) / deviation + bias);
}
