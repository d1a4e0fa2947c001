import { constant, type Expr } from '@weft/ir';
import { type HeadParameter, headParameter } from '../spec/head-parameter.js';
import { checkOptions } from '../spec/validate.js';
import type { Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';
import { rowLocalNormalizer } from './row-local.js';

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
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, normalizer: sigmoid({ bias: -Math.log(1024) }) }); // bias −log(n)
 * ```
 */
export function sigmoid(options: { bias?: HeadParameter } = {}): Normalizer {
  checkOptions('sigmoid', options, ['bias']);
  return normalizerOf(SIGMOID, {
    bias: options.bias === undefined ? undefined : headParameter(options.bias, 'sigmoid', 'bias'),
  });
}

/** The sigmoid normalizer (see {@link sigmoid}): a row-local weight σ(s + bias). */
export const SIGMOID: NormalizerDef<{ readonly bias: Expr | undefined }, SigmoidAttrs> = rowLocalNormalizer<
  { readonly bias: Expr | undefined },
  'bias'
>({
  name: 'sigmoid',
  parameters: (options, context) => ({ bias: options.bias ?? constant(-Math.log(context.maxKeys)) }),
  weight: (score, { bias }) => score.add(bias).apply('sigmoid'),
}) as NormalizerDef<{ readonly bias: Expr | undefined }, SigmoidAttrs>;
