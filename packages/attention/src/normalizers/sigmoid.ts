import { add, constant, type Expr, sigmoid as sigmoidOp } from '@weft/ir';
import { type HeadParameter, headParameter } from '../spec/head-parameter.js';
import { checkOptions } from '../spec/validate.js';
import type { Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';

/** Sigmoid as stored on a node: the bias, an Expr over `h`. */
export interface SigmoidAttrs {
  /** Discriminant. */
  readonly name: 'sigmoid';
  /** The bias added to every score. */
  readonly bias: Expr;
}

/**
 * Sigmoid attention (Ramapuram et al., catalog #21): weights σ(s + bias), no normalization.
 * Default bias −log(n) with n the maximum key length of the graph (Apple's code uses the configured
 * maximum sequence length, not the keys of one call). Without the bias the output grows with n.
 */
export function sigmoid(options: { bias?: HeadParameter } = {}): Normalizer {
  checkOptions('sigmoid', options, ['bias']);
  return normalizerOf(SIGMOID, {
    bias: options.bias === undefined ? undefined : headParameter(options.bias, 'sigmoid', 'bias'),
  });
}

/** WGSL of σ(s + bias) as `w`, without overflow for either sign. */
const WEIGHT = [
  'let x = s + bias;',
  'let e = exp(-abs(x));',
  'let w = select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);',
];

/** The sigmoid normalizer (see {@link sigmoid}). */
export const SIGMOID: NormalizerDef<{ readonly bias: Expr | undefined }, SigmoidAttrs> = {
  name: 'sigmoid',
  attrs: (options, context) => ({
    name: 'sigmoid',
    bias: options.bias ?? constant(-Math.log(context.maxKeys)),
  }),
  reference(attrs, scores, row) {
    const bias = row.evaluate(attrs.bias);
    return { weights: scores.map((s) => 1 / (1 + Math.exp(-(s + bias)))), logSumExp: -Infinity };
  },
  decompose: (attrs, context) => ({
    probabilities: context.kept(sigmoidOp(add(context.score, context.lower(attrs.bias, context.score))), 0),
  }),
  kernel: (attrs, context) => ({
    setup: context.parameter(attrs.bias, 'bias'),
    passes: [
      {
        before: [],
        withValues: true,
        tile: context.eachKeptKey([...WEIGHT, ...context.accumulate('w')]),
        after: [],
      },
    ],
    finish: [],
    outputScale: '1.0',
  }),
  splitKeys: {
    code: (attrs, context) => ({
      setup: context.parameter(attrs.bias, 'bias'),
      perKey: [...WEIGHT, ...context.accumulate('w')],
      rescales: false,
      mergeMax: [],
      mergeInitial: '0.0',
      outputScale: '1.0',
    }),
  },
};
