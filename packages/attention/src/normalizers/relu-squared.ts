import { dimExpr, div, mul, relu } from '@weft/ir';
import type { Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';

/** ReLU² as stored on a node (no parameters). */
export interface ReluSquaredAttrs {
  /** Discriminant. */
  readonly name: 'reluSquared';
}

/** ReLU² attention: weights relu(s)² / Nk (Nk = keys of the call). */
export function reluSquared(): Normalizer {
  return RELU_SQUARED_PART;
}

/** The ReLU² normalizer (see {@link reluSquared}). */
export const RELU_SQUARED: NormalizerDef<undefined, ReluSquaredAttrs> = {
  name: 'reluSquared',
  attrs: () => ({ name: 'reluSquared' }),
  reference: (_, scores, row) => ({
    weights: scores.map((s) => Math.max(s, 0) ** 2 / row.keys),
    logSumExp: -Infinity,
  }),
  decompose(_, context) {
    const positive = relu(context.score);
    return {
      probabilities: context.kept(
        div(mul(positive, positive), context.lower(dimExpr(context.keys).cast('f32'), context.score)),
        0,
      ),
    };
  },
  kernel: (_, context) => ({
    setup: [],
    passes: [
      {
        before: [],
        withValues: true,
        tile: context.eachKeptKey(['let r = max(s, 0.0);', ...context.accumulate('r * r')]),
        after: [],
      },
    ],
    finish: [],
    outputScale: '(1.0 / f32(nk))',
  }),
  splitKeys: {
    code: (_, context) => ({
      setup: [],
      perKey: ['let r = max(s, 0.0);', ...context.accumulate('r * r')],
      rescales: false,
      mergeMax: [],
      mergeInitial: '0.0',
      outputScale: '(1.0 / f32(nk))',
    }),
  },
};

const RELU_SQUARED_PART: Normalizer = normalizerOf(RELU_SQUARED, undefined);
