import { constant } from '@weft/ir';
import { ATTENTION_INDICES } from '../spec/attention-variables.js';
import type { Normalizer, NormalizerDef } from './normalizer-def.js';
import { normalizerOf } from './normalizer-value.js';
import { rowLocalNormalizer } from './row-local.js';

/** ReLU² as stored on a node (no parameters). */
export interface ReluSquaredAttrs {
  /** Discriminant. */
  readonly name: 'reluSquared';
}

/**
 * ReLU² attention: weights relu(s)² / Nk (Nk = keys of the call).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: causal(), normalizer: reluSquared() });
 * ```
 */
export function reluSquared(): Normalizer {
  return RELU_SQUARED_PART;
}

/** The ReLU² normalizer (see {@link reluSquared}): a row-local weight relu(s)², scaled by 1/Nk. */
export const RELU_SQUARED: NormalizerDef<undefined, ReluSquaredAttrs> = rowLocalNormalizer({
  name: 'reluSquared',
  weight: (score) => {
    const positive = score.max(0);
    return positive.mul(positive);
  },
  scale: () => constant(1).div(ATTENTION_INDICES.keyLength.cast('f32')),
}) as NormalizerDef<undefined, ReluSquaredAttrs>;

const RELU_SQUARED_PART: Normalizer = normalizerOf(RELU_SQUARED, undefined);
