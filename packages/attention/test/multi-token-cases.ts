import type { MultiTokenInstanceOptions } from '../src/catalog/multi-token-attention-entry.js';
import type { DenseMultiTokenOptions } from './dense-multi-token.js';

/** The instances the float64 and device tests share: each mixing placement, none, causal or not. */
const BASE = { heads: 4, length: 10, headDim: 8, queryKernel: 3, keyKernel: 5 } as const;

export const MULTI_TOKEN_CASES: readonly MultiTokenInstanceOptions[] = [
  { ...BASE, name: 'mta.post', causal: true, headMixing: { groupSize: 2 }, groupNorm: true },
  { ...BASE, name: 'mta.pre', causal: true, headMixing: { groupSize: 4, placement: 'preSoftmax' } },
  { ...BASE, name: 'mta.conv', causal: true, queryKernel: 2, keyKernel: 3 },
  { ...BASE, name: 'mta.full', causal: false, headMixing: { groupSize: 2 }, groupNorm: { epsilon: 1e-3 } },
];

/** The dense formula's options for a case. */
export function denseOptionsOf(options: MultiTokenInstanceOptions): DenseMultiTokenOptions {
  const epsilon =
    options.groupNorm === undefined || options.groupNorm === false
      ? null
      : options.groupNorm === true
        ? 1e-5
        : (options.groupNorm.epsilon ?? 1e-5);
  return {
    batch: 1,
    heads: options.heads,
    length: options.length,
    headDim: options.headDim,
    valueDim: options.headDim,
    queryKernel: options.queryKernel,
    keyKernel: options.keyKernel,
    causal: options.causal,
    mixing:
      options.headMixing === undefined
        ? null
        : { group: options.headMixing.groupSize, placement: options.headMixing.placement ?? 'postSoftmax' },
    groupNormEpsilon: epsilon,
  };
}
