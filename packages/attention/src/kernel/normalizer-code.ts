import type { Expr } from '@weft/ir';
import type { RenderedExprs } from '@weft/wgsl';
import type { NormalizerAttrs } from '../op/attention-attrs.js';
import { groupedSoftmaxCode } from './grouped-softmax-code.js';
import { l1NormalizerCode } from './l1-normalizer-code.js';
import { eachKeptKey, LOWEST_F32, onlineSoftmaxTile } from './online-tile-code.js';
import { outputNormCode } from './output-norm-code.js';
import { pLaplacianCode } from './p-laplacian-code.js';
import { topThetaCode } from './top-theta-code.js';
import { accumulateValueTile } from './value-tile-code.js';
import type { KernelFunctions } from './wgsl-functions.js';

/** One pass over the key tiles: statements before it, the per-tile body, statements after it. */
export interface KeyPass {
  /** Statements before the pass. */
  readonly before: readonly string[];
  /** Whether the pass needs V tiles. */
  readonly withValues: boolean;
  /**
   * Per-tile body; in scope: `scores[j]`, the `kept` bitmask, `tile` (`tile.keys` keys from `tile.k0`), `value_tile` (vec4 rows:
   * read it through `accumulateValueTile`), `acc`.
   */
  readonly tile: readonly string[];
  /** Statements after the pass. */
  readonly after: readonly string[];
}

/** The WGSL of one normalizer inside the fused kernel. */
export interface NormalizerCode {
  /** Per-invocation state, declared before the passes. */
  readonly setup: readonly string[];
  /** Passes over the keys, in order. */
  readonly passes: readonly KeyPass[];
  /** Statements before the store (in scope: the state). */
  readonly finish: readonly string[];
  /** WGSL f32 factor each accumulator entry is multiplied by at the store. */
  readonly outputScale: string;
  /** WGSL f32 value of the row log-sum-exp (softmax only; uses the `weft_inf` helper). */
  readonly logSumExp?: string;
}

/** What the normalizer code needs from the template. */
export interface NormalizerContext {
  /** Renders Exprs (over `h` and captured tensors) with `let` names under `prefix`. */
  render(roots: readonly Expr[], prefix: string): RenderedExprs;
  /** Keys per tile. */
  readonly keyBlock: number;
  /** Value head dim. */
  readonly valueDim: number;
  /** The kernel's helper functions (normalizers with state of their own define helpers there). */
  readonly functions: KernelFunctions;
  /** Whether the kernel writes the row log-sum-exp (state only it reads is kept only then). */
  readonly logSumExp?: boolean;
}

/** Bisection steps of the in-kernel α-entmax threshold (f32: the bracket shrinks below f32 spacing). */
export const ENTMAX_KERNEL_STEPS = 30;

/** The WGSL of `normalizer` (see {@link NormalizerCode}). */
export function normalizerCode(normalizer: NormalizerAttrs, context: NormalizerContext): NormalizerCode {
  const accumulate = (weight: string) => accumulateValueTile(weight, context.valueDim);
  const parameter = (expr: Expr, name: string): string[] => {
    const rendered = context.render([expr], `${name}_`);
    return [...rendered.lines, `let ${name} = ${rendered.values[0]};`];
  };
  switch (normalizer.name) {
    case 'softmax': {
      const sink = normalizer.sink;
      // With a sink, l_run > 0 even for a row without kept keys; its log-sum-exp is −∞ all the same.
      const trackKept = sink !== null && context.logSumExp === true;
      return {
        // A sink logit starts the running state as one extra key with no value.
        setup:
          sink === null
            ? [`var m_run = ${LOWEST_F32};`, 'var l_run = 0.0;']
            : [
                ...parameter(sink, 'sink'),
                'var m_run = sink;',
                'var l_run = 1.0;',
                ...(trackKept ? ['var keys_kept = false;'] : []),
              ],
        passes: [
          {
            before: [],
            withValues: true,
            tile: onlineSoftmaxTile(['l_run'], context.valueDim, [
              'let p = exp(s - m_run);',
              'l_run += p;',
              ...(trackKept ? ['keys_kept = true;'] : []),
              ...accumulate('p'),
            ]),
            after: [],
          },
        ],
        finish: [],
        outputScale: 'select(0.0, 1.0 / l_run, l_run > 0.0)',
        // −∞ for a row without kept keys, also with a sink.
        logSumExp: trackKept
          ? 'select(-weft_inf(), m_run + log(l_run), keys_kept)'
          : 'select(-weft_inf(), m_run + log(l_run), l_run > 0.0)',
      };
    }
    case 'sigmoid':
      return {
        setup: parameter(normalizer.bias, 'bias'),
        passes: [
          {
            before: [],
            withValues: true,
            tile: eachKeptKey([
              'let x = s + bias;',
              'let e = exp(-abs(x));',
              'let w = select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);',
              ...accumulate('w'),
            ]),
            after: [],
          },
        ],
        finish: [],
        outputScale: '1.0',
      };
    case 'reluSquared':
      return {
        setup: [],
        passes: [
          {
            before: [],
            withValues: true,
            tile: eachKeptKey(['let r = max(s, 0.0);', ...accumulate('r * r')]),
            after: [],
          },
        ],
        finish: [],
        outputScale: '(1.0 / f32(nk))',
      };
    case 'l1':
      return l1NormalizerCode(normalizer, context);
    case 'topTheta':
      return topThetaCode(normalizer, context);
    case 'entmax': {
      const weight = (x: string) => `select(0.0, pow(${x}, inverse_power), ${x} > 0.0)`;
      return {
        setup: [
          ...parameter(normalizer.alpha, 'alpha_raw'),
          'let alpha_minus_one = clamp(alpha_raw, 1.01, 2.0) - 1.0;',
          'let inverse_power = 1.0 / alpha_minus_one;',
          `var m_run = ${LOWEST_F32};`,
          'var count = 0.0;',
          'var low = 0.0;',
          'var high = 0.0;',
          'var l_run = 0.0;',
        ],
        passes: [
          {
            before: [],
            withValues: false,
            tile: eachKeptKey(['m_run = max(m_run, alpha_minus_one * s);', 'count += 1.0;']),
            after: [
              // τ − max lies in [−1, −(1/n)^(α−1)] (Correia et al.); an empty row keeps both at 0. The
              // bisection runs on τ − max against (α−1)s − max: around |s| ≥ 1e8 max − 1 rounds to max.
              'low = select(0.0, -1.0, count > 0.0);',
              'high = select(0.0, -pow(1.0 / count, alpha_minus_one), count > 0.0);',
            ],
          },
          {
            // The bisection loop wraps a whole pass over the keys.
            before: [
              `for (var step = 0; step < ${ENTMAX_KERNEL_STEPS}; step++) {`,
              '  let tau = 0.5 * (low + high);',
              '  var mass = 0.0;',
            ],
            withValues: false,
            tile: eachKeptKey([`mass += ${weight('(alpha_minus_one * s - m_run) - tau')};`]),
            after: ['  if (mass >= 1.0) {', '    low = tau;', '  } else {', '    high = tau;', '  }', '}'],
          },
          {
            before: ['let tau_final = 0.5 * (low + high);'],
            withValues: true,
            tile: eachKeptKey([
              `let w = ${weight('(alpha_minus_one * s - m_run) - tau_final')};`,
              'l_run += w;',
              ...accumulate('w'),
            ]),
            after: [],
          },
        ],
        finish: [],
        outputScale: 'select(0.0, 1.0 / l_run, l_run > 0.0)',
      };
    }
    case 'groupedSoftmax':
      return groupedSoftmaxCode(normalizer, context);
    case 'pLaplacian':
      return pLaplacianCode(normalizer, context);
    case 'identity':
      return {
        setup: [],
        passes: [{ before: [], withValues: true, tile: eachKeptKey(accumulate('s')), after: [] }],
        finish: outputNormCode(normalizer, context.valueDim, 'acc'),
        outputScale: '1.0',
      };
    case 'nap':
      return {
        setup: [
          ...parameter(normalizer.gain, 'gain'),
          ...parameter(normalizer.bias, 'bias'),
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
            tile: eachKeptKey([
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
            after: [
              `let deviation = m2_scale * sqrt(m2 / max(count, 1.0)) + ${floatLiteral(normalizer.epsilon)};`,
            ],
          },
          {
            before: [],
            withValues: true,
            tile: eachKeptKey(['let w = gain * (s - mean) / deviation + bias;', ...accumulate('w')]),
            after: [],
          },
        ],
        finish: [],
        outputScale: '1.0',
      };
  }
}

function floatLiteral(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
