import {
  add,
  constant,
  div,
  type Expr,
  equal,
  exp,
  greaterEqual,
  mapElements,
  max,
  maximum,
  mul,
  SpecError,
  sub,
  sum,
  type TensorRef,
  where,
} from '@weft/ir';
import { ATTENTION_INDICES } from '../spec/attention-variables.js';
import { checkOptions, checkTensorRef } from '../spec/validate.js';
import type { DecomposeContext, Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';
import { keptCount } from './row-count.js';
import { checkStoredAttrs } from './stored-attrs.js';
import { topThetaCode } from './top-theta-kernel.js';
import { topThetaRow } from './top-theta-row.js';

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
  /**
   * V tiles of the fused kernel. `skipPruned`: under `none` and `denominator` a V tile is loaded
   * only when some query row of the workgroup keeps a key of it (s ≥ θ), so the value rows of pruned
   * keys are never read (the paper's saving), at the cost of a workgroup vote per tile; `loadAll`
   * loads every visible V tile, as for softmax (the same result). `auto` (default): `skipPruned` on
   * hardware GPUs, `loadAll` on software adapters, where the vote's barrier costs more than the copy
   * it saves (measured 1.2× slower on SwiftShader). `valueMean` reads every visible value row for v̄
   * and always loads them.
   */
  readonly valueTiles?: TopThetaValueTiles;
}

/** How Top-θ's fused kernel loads V tiles (see {@link TopThetaOptions.valueTiles}). */
export type TopThetaValueTiles = 'auto' | 'skipPruned' | 'loadAll';

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
  checkOptions('topTheta', options, ['threshold', 'compensation', 'valueTiles'], true);
  const threshold = checkTensorRef('topTheta', 'option "threshold"', options.threshold);
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
  const valueTiles = options.valueTiles ?? 'auto';
  if (valueTiles !== 'auto' && valueTiles !== 'skipPruned' && valueTiles !== 'loadAll')
    throw new SpecError('topTheta: unknown valueTiles', {
      tensor: threshold.name,
      expected: "'auto' | 'skipPruned' | 'loadAll'",
      actual: String(valueTiles),
    });
  return normalizerOf(TOP_THETA, { threshold, compensation, valueTiles });
}

/** Top-θ as stored on a node. */
export interface TopThetaAttrs {
  /** Discriminant. */
  readonly name: 'topTheta';
  /** θ of the row, an Expr over `h` (and `q` for a `[heads, queries]` threshold). */
  readonly threshold: Expr;
  /** How the pruned scores are accounted for. */
  readonly compensation: ThresholdCompensation;
  /** How the kernel loads V tiles (absent: `auto`, chosen by the adapter). */
  readonly valueTiles?: 'skipPruned' | 'loadAll';
}

/** The Top-θ normalizer (see {@link topTheta}). */
export const TOP_THETA: NormalizerDef<
  {
    readonly threshold: TensorRef;
    readonly compensation: ThresholdCompensation;
    readonly valueTiles: TopThetaValueTiles;
  },
  TopThetaAttrs
> = {
  name: 'topTheta',
  decode: (stored, block) =>
    checkStoredAttrs(
      stored,
      block,
      {
        threshold: 'expr',
        compensation: ['none', 'denominator', 'valueMean'],
        valueTiles: ['skipPruned', 'loadAll'],
      },
      ['valueTiles'],
    ),
  attrs(options, context) {
    const threshold = options.threshold;
    if (threshold.shape[0] !== context.heads)
      throw new SpecError(`attention "${context.block}": topTheta threshold must have one entry per head`, {
        block: context.block,
        tensor: threshold.name,
        dimension: 0,
        expected: context.heads,
        actual: threshold.shape[0] ?? 'nothing',
      });
    const index =
      threshold.shape.length === 1 ? [ATTENTION_INDICES.h] : [ATTENTION_INDICES.h, ATTENTION_INDICES.q];
    // The default is not stored: graphs saved before the option keep their hashes.
    return {
      name: 'topTheta',
      threshold: threshold.at(...index),
      compensation: options.compensation,
      ...(options.valueTiles === 'auto' ? {} : { valueTiles: options.valueTiles }),
    };
  },
  // The threshold is `[heads]` or `[heads, queries]`.
  roles: (options) => ({
    [options.threshold.name]: options.threshold.shape.length === 1 ? ['heads'] : ['heads', 'queries'],
  }),
  reference: (attrs, scores, row) => ({
    weights: topThetaRow(scores, row.evaluate(attrs.threshold), attrs.compensation),
    logSumExp: -Infinity,
  }),
  decompose: (attrs, context) => ({ probabilities: topThetaWeights(attrs, context) }),
  kernel: topThetaCode,
  splitKeys: {
    // V-mean compensation needs two sums and a value mean more.
    supports: (attrs) => attrs.compensation !== 'valueMean',
    code(attrs, context) {
      // l_run is the denominator of the policy (kept or all visible keys); acc holds kept keys only,
      // so the partials merge like softmax's.
      const denominator = attrs.compensation === 'none' ? ['  l_run += p;'] : [];
      return {
        setup: context.parameter(attrs.threshold, 'theta'),
        perKey: [
          ...context.onlineSoftmaxKey(['l_run']),
          'let p = exp(s - m_run);',
          ...(attrs.compensation === 'denominator' ? ['l_run += p;'] : []),
          'if (s >= theta) {',
          ...denominator,
          ...context.accumulate('p').map((line) => `  ${line}`),
          '}',
        ],
        rescales: true,
        mergeMax: [],
        mergeInitial: '0.0',
        outputScale: 'select(0.0, 1.0 / merged_l, merged_l > 0.0)',
      };
    },
  },
};

/** Top-θ: exps of the visible scores relative to their max, kept where s ≥ θ, and the compensation. */
function topThetaWeights(normalizer: TopThetaAttrs, context: DecomposeContext) {
  const { score, keep } = context;
  const threshold = context.lower(normalizer.threshold, score);
  const visible = (node: typeof score) => (keep === undefined ? node : where(keep, node, 0));
  const rowMax = max(keep === undefined ? score : where(keep, score, -Infinity), -1, { keepDims: true });
  const safeMax = where(equal(rowMax, -Infinity), 0, rowMax);
  const exps = visible(exp(sub(score, safeMax)));
  const keptExps = where(greaterEqual(score, threshold), exps, 0);
  const all = sum(exps, -1, { keepDims: true });
  const keptSum = sum(keptExps, -1, { keepDims: true });
  if (normalizer.compensation === 'none') return div(keptExps, where(equal(keptSum, 0), 1, keptSum));
  const safeAll = where(equal(all, 0), 1, all);
  const probabilities = div(keptExps, safeAll);
  if (normalizer.compensation === 'denominator') return probabilities;
  const missing = div(sub(1, div(keptSum, safeAll)), maximum(keptCount(score, keep), 1));
  return add(probabilities, visible(mul(missing, mapElements([score], constant(1)))));
}
