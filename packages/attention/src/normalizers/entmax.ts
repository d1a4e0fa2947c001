import {
  add,
  constant,
  div,
  type Expr,
  equal,
  greaterEqual,
  mapElements,
  max,
  maximum,
  mul,
  type Node,
  SpecError,
  sub,
  sum,
  variable,
  where,
} from '@weft/ir';
import { type HeadParameter, headParameter } from '../spec/head-parameter.js';
import { checkOptions } from '../spec/validate.js';
import type { Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';
import { checkStoredAttrs } from './stored-attrs.js';

/** Bisection steps of the in-kernel α-entmax threshold (f32: the bracket shrinks below f32 spacing). */
export const ENTMAX_KERNEL_STEPS = 30;

/** Bisection steps of the decomposed entmax (float64 halves the bracket each step). */
const ENTMAX_STEPS = 60;

/**
 * α-entmax (Correia et al., catalog #90): p = [(α−1)s − τ]₊^{1/(α−1)}, τ such that Σp = 1, found by
 * bisection. α in (1, 2]; a number or a learned `[heads]` tensor (values outside (1, 2] are clamped
 * to [1.01, 2] at run time, like the reference code's `AlphaChooser`).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, normalizer: entmax({ alpha: 1.5 }) });
 * ```
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
  return normalizerOf(ENTMAX, { alpha });
}

/**
 * Sparsemax (Martins & Astudillo): α-entmax with α = 2, the Euclidean projection onto the simplex.
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, normalizer: sparsemax() });
 * ```
 */
export function sparsemax(): Normalizer {
  return entmax({ alpha: 2 });
}

/** α-entmax as stored on a node. */
export interface EntmaxAttrs {
  /** Discriminant. */
  readonly name: 'entmax';
  /** α, an Expr over `h` (clamped to [1.01, 2] at run time). */
  readonly alpha: Expr;
}

/** The α-entmax normalizer (see {@link entmax}); it needs the row max and τ first, so it never splits. */
export const ENTMAX: NormalizerDef<{ readonly alpha: Expr }, EntmaxAttrs> = {
  name: 'entmax',
  attrs: (options) => ({ name: 'entmax', alpha: options.alpha }),
  decode: (stored, block) => checkStoredAttrs(stored, block, { alpha: 'expr' }),
  reference(attrs, scores, row) {
    const alpha = Math.min(Math.max(row.evaluate(attrs.alpha), 1.01), 2);
    return { weights: entmaxRow(scores, alpha), logSumExp: -Infinity };
  },
  decompose: (attrs, context) => ({
    probabilities: entmaxWeights(context.score, context.keep, context.lower(attrs.alpha, context.score)),
  }),
  kernel(attrs, context) {
    const weight = (x: string) => `select(0.0, pow(${x}, inverse_power), ${x} > 0.0)`;
    return {
      setup: [
        ...context.parameter(attrs.alpha, 'alpha_raw'),
        'let alpha_minus_one = clamp(alpha_raw, 1.01, 2.0) - 1.0;',
        'let inverse_power = 1.0 / alpha_minus_one;',
        `var m_run = ${context.lowestF32};`,
        'var count = 0.0;',
        'var low = 0.0;',
        'var high = 0.0;',
        'var l_run = 0.0;',
      ],
      passes: [
        {
          before: [],
          withValues: false,
          tile: context.eachKeptKey(['m_run = max(m_run, alpha_minus_one * s);', 'count += 1.0;']),
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
          tile: context.eachKeptKey([`mass += ${weight('(alpha_minus_one * s - m_run) - tau')};`]),
          after: ['  if (mass >= 1.0) {', '    low = tau;', '  } else {', '    high = tau;', '  }', '}'],
        },
        {
          before: ['let tau_final = 0.5 * (low + high);'],
          withValues: true,
          tile: context.eachKeptKey([
            `let w = ${weight('(alpha_minus_one * s - m_run) - tau_final')};`,
            'l_run += w;',
            ...context.accumulate('w'),
          ]),
          after: [],
        },
      ],
      finish: [],
      outputScale: 'select(0.0, 1.0 / l_run, l_run > 0.0)',
    };
  },
};

/** α-entmax of one row: exact (sort) for α = 2, bisection on τ in float64 otherwise. */
function entmaxRow(scores: readonly number[], alpha: number): number[] {
  const n = scores.length;
  if (n === 0) return [];
  const x = scores.map((s) => (alpha - 1) * s);
  const power = 1 / (alpha - 1);
  const max = Math.max(...x);
  let tau: number;
  if (alpha === 2) {
    tau = sparsemaxThreshold(x);
  } else {
    let low = max - 1;
    let high = max - (1 / n) ** (alpha - 1);
    for (let iteration = 0; iteration < 200 && high - low > 0; iteration++) {
      const middle = (low + high) / 2;
      if (middle === low || middle === high) break;
      const mass = x.reduce((sum, value) => sum + Math.max(value - middle, 0) ** power, 0);
      if (mass >= 1) low = middle;
      else high = middle;
    }
    tau = (low + high) / 2;
  }
  const p = x.map((value) => Math.max(value - tau, 0) ** power);
  const total = p.reduce((sum, value) => sum + value, 0);
  return p.map((value) => value / total);
}

/** τ of sparsemax (Martins & Astudillo, Algorithm 1): sort, find the support size, average. */
function sparsemaxThreshold(x: readonly number[]): number {
  const sorted = [...x].sort((a, b) => b - a);
  let cumulative = 0;
  let support = 0;
  let supportSum = 0;
  sorted.forEach((value, index) => {
    cumulative += value;
    if (1 + (index + 1) * value > cumulative) {
      support = index + 1;
      supportSum = cumulative;
    }
  });
  return (supportSum - 1) / support;
}

/** α-entmax by bisection on τ, as graph nodes; empty rows give 0. */
function entmaxWeights(score: Node, keep: Node | undefined, alphaRaw: Node): Node {
  const alpha = mapElements([alphaRaw], variable('$0').max(1.01).min(2));
  const scaled = mul(sub(alpha, 1), score);
  const masked = keep === undefined ? scaled : where(keep, scaled, -Infinity);
  const rowMax = max(masked, -1, { keepDims: true });
  const safeMax = where(equal(rowMax, -Infinity), 0, rowMax);
  const count = sum(keep === undefined ? mapElements([score], constant(1)) : where(keep, 1, 0), -1, {
    keepDims: true,
  });
  const power = div(1, sub(alpha, 1));
  const mass = (tau: Node) => {
    const p = mapElements(
      [masked, tau, power],
      variable('$0').sub(variable('$1')).max(0).pow(variable('$2')),
    );
    return p;
  };
  let low = sub(safeMax, 1);
  // (1/n)^(α−1) with n ≥ 1 (an empty row brackets [max − 1, max − 1]).
  const alphaRow = max(alpha, -1, { keepDims: true });
  let high = sub(
    safeMax,
    mapElements([maximum(count, 1), alphaRow], constant(1).div(variable('$0')).pow(variable('$1').sub(1))),
  );
  for (let step = 0; step < ENTMAX_STEPS; step++) {
    const middle = div(add(low, high), 2);
    const enough = greaterEqual(sum(mass(middle), -1, { keepDims: true }), 1);
    low = where(enough, middle, low);
    high = where(enough, high, middle);
  }
  const p = mass(div(add(low, high), 2));
  const total = sum(p, -1, { keepDims: true });
  return div(p, where(equal(total, 0), 1, total));
}
