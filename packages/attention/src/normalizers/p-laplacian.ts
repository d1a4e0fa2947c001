import { type Expr, max, SpecError, type TensorRef } from '@weft/ir';
import { type HeadParameter, headParameter } from '../spec/head-parameter.js';
import { checkOptions, checkTensorRef, describeValue } from '../spec/validate.js';
import { decomposePLaplacian } from './decompose-p-laplacian.js';
import type { Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';
import { type PLaplacianAttrs, pLaplacianAttrs } from './p-laplacian-attrs.js';
import { pLaplacianCode } from './p-laplacian-kernel.js';
import { pLaplacianRow } from './p-laplacian-row.js';
import { pLaplacianSplitCode } from './p-laplacian-split.js';
import { softmaxWeights } from './softmax.js';
import { checkStoredAttrs } from './stored-attrs.js';

/**
 * The coefficient c of the feature term β_i = (c·μ/p)·α_i of {@link pLaplacian}: `2` follows the
 * pGNN paper's update (and the catalog entry), `4` the released pGNN code (`beta = 4*mu/p * alpha`).
 */
export type PLaplacianAnchorScale = 2 | 4;

/** Options of {@link pLaplacian}. */
export interface PLaplacianOptions {
  /**
   * The query-side node features x_i, a `[batch, heads, queries, valueDim]` tensor (p-Adapter uses
   * the projected queries, which must then live in the value space). Its shape is checked against
   * the call when the spec is applied.
   */
  readonly features: TensorRef;
  /** The p of the p-Laplacian (number or `[heads]` tensor); p = 2 gives softmax attention mixed with x. */
  readonly p: HeadParameter;
  /** The regularization weight μ ≥ 0 pulling each output towards its feature row (number or `[heads]` tensor). */
  readonly mu: HeadParameter;
  /**
   * ε > 0 added to the squared distance, so that p < 2 stays finite at distance 0 (default 1e-6).
   * pGNN's code uses no ε and sets infinite weights to 0 instead; the ε form is this library's choice.
   */
  readonly epsilon?: number;
  /** c of the feature term (default 2, see {@link PLaplacianAnchorScale}). */
  readonly anchorScale?: PLaplacianAnchorScale;
}

/**
 * p-Laplacian re-weighting of attention (p-Adapter, Wu et al., "p-Laplacian Adaptation for
 * Generative Pre-trained Vision-Language Models", arXiv 2312.10613, catalog #64), after pGNN's
 * message passing (Fu et al., arXiv 2111.07337). With A_ij the softmax weights of the kept scores,
 * x_i the feature row and v_j the value rows:
 * M_ij = A_ij·(‖x_i − v_j‖² + ε)^{(p−2)/2}, α_i = 1/(Σ_j M_ij + 2μ/p),
 * o_i = α_i Σ_j M_ij v_j + (c·μ/p)·α_i·x_i, with c = `anchorScale` (2 by default). A row with no
 * kept key has Σ_j M_ij = 0; a row whose denominator is 0 (μ = 0 and no kept key) gives 0. The
 * fused kernel needs one online pass: the running max rescales l = Σ e^{s−m}, w = Σ e^{s−m}g_ij and
 * acc = Σ e^{s−m}g_ij·v_j, and Σ_j M_ij = w/l; the partial states merge like softmax's, so decoding
 * uses the split-keys kernel. The bottleneck adapter p-Adapter applies afterwards (down-projection,
 * activation, up-projection, residual) is ordinary graph ops after the attention node.
 *
 * Unverified against the p-Adapter code (not located): the graph gradient without pGNN's degree
 * normalization and √A_ij factor (attention rows are already normalized, and √A_ij inside the norm
 * would need the row's softmax total before any weight), the ε form and the choice of c.
 *
 * @example
 * ```ts
 * const projectedQueries = tensorRef('layer0.xq', [1, 8, 77, 64]);
 * attention({ heads: 8, headDim: 64, normalizer: pLaplacian({ features: projectedQueries, p: 1.5, mu: 0.5 }) });
 * ```
 */
export function pLaplacian(options: PLaplacianOptions): Normalizer {
  checkOptions('pLaplacian', options, ['features', 'p', 'mu', 'epsilon', 'anchorScale'], true);
  const features = checkTensorRef('pLaplacian', 'option "features"', options.features);
  if (features.shape.length !== 4)
    throw new SpecError('pLaplacian: features is a [batch, heads, queries, valueDim] tensor', {
      tensor: features.name,
      expected: 'rank 4',
      actual: `rank ${features.shape.length}`,
    });
  if (features.dtype !== 'f32')
    throw new SpecError('pLaplacian: features must be f32', {
      tensor: features.name,
      expected: 'f32',
      actual: features.dtype,
    });
  // Type checks (a number or a tensor reference) before the range checks of numbers.
  const p = headParameter(options.p, 'pLaplacian', 'p');
  const mu = headParameter(options.mu, 'pLaplacian', 'mu');
  if (typeof options.p === 'number' && !(options.p > 0))
    throw new SpecError('pLaplacian: p must be > 0', { expected: '> 0', actual: options.p });
  if (typeof options.mu === 'number' && !(options.mu >= 0))
    throw new SpecError('pLaplacian: mu must be >= 0', { expected: '>= 0', actual: options.mu });
  const epsilon = options.epsilon ?? 1e-6;
  if (!(epsilon > 0) || !Number.isFinite(epsilon))
    throw new SpecError('pLaplacian: epsilon must be a finite number > 0', {
      expected: '> 0',
      actual: epsilon,
    });
  const anchorScale = options.anchorScale ?? 2;
  if (anchorScale !== 2 && anchorScale !== 4)
    throw new SpecError('pLaplacian: anchorScale is 2 or 4', {
      expected: '2 | 4',
      actual: describeValue(anchorScale),
    });
  return normalizerOf(P_LAPLACIAN, { features, p, mu, epsilon, anchorScale });
}

/** The checked options of {@link pLaplacian}. */
export interface PLaplacianSettings {
  /** The features tensor. */
  readonly features: TensorRef;
  /** p, an Expr over `h`. */
  readonly p: Expr;
  /** μ, an Expr over `h`. */
  readonly mu: Expr;
  /** ε. */
  readonly epsilon: number;
  /** c. */
  readonly anchorScale: PLaplacianAnchorScale;
}

/** The p-Laplacian normalizer (see {@link pLaplacian}): its partials merge like softmax's, plus w. */
export const P_LAPLACIAN: NormalizerDef<PLaplacianSettings, PLaplacianAttrs> = {
  name: 'pLaplacian',
  decode: (stored, block) =>
    checkStoredAttrs(stored, block, {
      featuresTensor: 'string',
      features: 'expr',
      p: 'expr',
      mu: 'expr',
      epsilon: 'number',
      anchorScale: [2, 4],
    }),
  attrs: (options, context) => pLaplacianAttrs(options, { name: context.block, ...context }),
  // One features row per (batch, head, query), `valueDim` wide.
  roles: (options, context) => ({ [options.features.name]: ['batch', 'heads', 'queries', context.valueDim] }),
  reference(attrs, scores, row) {
    if (row.values === undefined)
      throw new Error('the p-Laplacian normalizer needs the value rows in its row context');
    const weights = pLaplacianRow(attrs, scores, row.env, row.values);
    return {
      weights: weights.weights,
      logSumExp: -Infinity,
      selfTerm: { weight: weights.selfWeight, row: weights.features },
    };
  },
  decompose(attrs, context) {
    // The softmax weights A; the distance re-weighting needs the value rows.
    const { probabilities } = softmaxWeights(context, null);
    // Parameters over `h` lower onto the score grid; every key of a row holds the same value.
    const perRow = (expr: Expr) => max(context.lower(expr, context.score), -1, { keepDims: true });
    return {
      probabilities,
      output: () =>
        decomposePLaplacian(attrs, {
          probabilities,
          value: context.value,
          features: context.tensor(attrs.featuresTensor),
          p: perRow(attrs.p),
          mu: perRow(attrs.mu),
        }),
    };
  },
  kernel: pLaplacianCode,
  splitKeys: { weightedSum: true, code: pLaplacianSplitCode },
};
