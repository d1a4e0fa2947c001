import { add, div, type Expr, equal, exp, log, max, maximum, sub, sum, where } from '@weft/ir';
import { type HeadParameter, headParameter } from '../spec/head-parameter.js';
import { checkOptions } from '../spec/validate.js';
import type {
  DecomposeContext,
  DecomposedNormalizer,
  Normalizer,
  NormalizerDef,
  RowWeights,
} from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';
import { checkStoredAttrs } from './stored-attrs.js';

/** Softmax as stored on a node: the sink logit (an Expr over `h`) or null. */
export interface SoftmaxAttrs {
  /** Discriminant. */
  readonly name: 'softmax';
  /** The sink logit, or null without one. */
  readonly sink: Expr | null;
}

/**
 * Softmax over keys (online, FlashAttention-2 style). `sink`: a learned sink logit per head (or one
 * number) added to the denominator only, as in gpt-oss and "off-by-one" softmax (sink 0).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, normalizer: softmax() }); // the default
 * attention({ heads: 8, headDim: 64, normalizer: softmax({ sink: 0 }) }); // an attention sink with logit 0
 * ```
 */
export function softmax(options: { sink?: HeadParameter } = {}): Normalizer {
  checkOptions('softmax', options, ['sink']);
  return normalizerOf(SOFTMAX, {
    sink: options.sink === undefined ? undefined : headParameter(options.sink, 'softmax', 'sink'),
  });
}

/** exp(s − m)/Σ over the kept scores (plus the sink's term), as IR ops; the row log-sum-exp too. */
export function softmaxWeights(context: DecomposeContext, sinkExpr: Expr | null): DecomposedNormalizer {
  const { score, kept } = context;
  const masked = kept(score, -Infinity);
  const keyMax = max(masked, -1, { keepDims: true });
  let rowMax = keyMax;
  const sink = sinkExpr === null ? undefined : context.lower(sinkExpr, rowMax);
  if (sink !== undefined) rowMax = maximum(rowMax, sink);
  const safeMax = where(equal(rowMax, -Infinity), 0, rowMax);
  const exps = kept(exp(sub(score, safeMax)), 0);
  let total = sum(exps, -1, { keepDims: true });
  if (sink !== undefined) total = add(total, exp(sub(sink, safeMax)));
  const probabilities = div(exps, where(equal(total, 0), 1, total));
  // −∞ for a row without kept keys, also with a sink (as the reference).
  const logSumExp = add(safeMax, log(total));
  return {
    probabilities,
    logSumExp: sink === undefined ? logSumExp : where(equal(keyMax, -Infinity), -Infinity, logSumExp),
  };
}

/** The float64 softmax of one row, and its log-sum-exp. */
export function softmaxRow(scores: readonly number[], sink: number | undefined): RowWeights {
  // No kept key: −∞ also with a sink (the sink alone is no log-sum-exp of the row's keys).
  if (scores.length === 0) return { weights: [], logSumExp: -Infinity };
  const rowMax = Math.max(...scores, sink ?? -Infinity);
  const exps = scores.map((s) => Math.exp(s - rowMax));
  const total = exps.reduce((total, x) => total + x, 0) + (sink === undefined ? 0 : Math.exp(sink - rowMax));
  return { weights: exps.map((x) => x / total), logSumExp: rowMax + Math.log(total) };
}

/** The softmax normalizer (see {@link softmax}). */
export const SOFTMAX: NormalizerDef<{ readonly sink: Expr | undefined }, SoftmaxAttrs> = {
  name: 'softmax',
  attrs: (options) => ({ name: 'softmax', sink: options.sink ?? null }),
  decode: (stored, block) => checkStoredAttrs(stored, block, { sink: 'expr or null' }),
  logSumExp: true,
  reference: (attrs, scores, row) =>
    softmaxRow(scores, attrs.sink === null ? undefined : row.evaluate(attrs.sink)),
  decompose: (attrs, context) => softmaxWeights(context, attrs.sink),
  plainSoftmax: (attrs) => attrs.sink === null,
  kernel(attrs, context) {
    const sink = attrs.sink;
    // With a sink, l_run > 0 even for a row without kept keys; its log-sum-exp is −∞ all the same.
    const trackKept = sink !== null && context.logSumExp;
    return {
      // A sink logit starts the running state as one extra key with no value.
      setup:
        sink === null
          ? [`var m_run = ${context.lowestF32};`, 'var l_run = 0.0;']
          : [
              ...context.parameter(sink, 'sink'),
              'var m_run = sink;',
              'var l_run = 1.0;',
              ...(trackKept ? ['var keys_kept = false;'] : []),
            ],
      passes: [
        {
          before: [],
          withValues: true,
          tile: context.onlineSoftmaxTile(
            ['l_run'],
            [
              'let p = exp(s - m_run);',
              'l_run += p;',
              ...(trackKept ? ['keys_kept = true;'] : []),
              ...context.accumulate('p'),
            ],
          ),
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
  },
  splitKeys: {
    code: (attrs, context) => ({
      setup: attrs.sink === null ? [] : context.parameter(attrs.sink, 'sink'),
      perKey: [
        ...context.onlineSoftmaxKey(['l_run']),
        'let p = exp(s - m_run);',
        'l_run += p;',
        ...context.accumulate('p'),
      ],
      rescales: true,
      // The sink is one extra logit of the whole row: it joins once, at the merge.
      mergeMax:
        attrs.sink === null
          ? []
          : ['let keys_kept = merged_max > -3.0e38;', 'merged_max = max(merged_max, sink);'],
      mergeInitial: attrs.sink === null ? '0.0' : 'exp(sink - merged_max)',
      outputScale: 'select(0.0, 1.0 / merged_l, merged_l > 0.0)',
      // −∞ for a row without kept keys, also with a sink.
      logSumExp:
        attrs.sink === null
          ? 'select(-weft_inf(), merged_max + log(merged_l), merged_l > 0.0)'
          : 'select(-weft_inf(), merged_max + log(merged_l), keys_kept)',
    }),
  },
};
