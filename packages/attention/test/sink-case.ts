import { keyPadding, softmax } from '../src/index.js';
import { type AttentionCase, buildCase, intTensor, tensorRef } from './attention-case.js';

/** Softmax with sink 0.5 and log-sum-exp; batch 0 keeps no key (length 0), batch 1 keeps 5 of 7. */
export function sinkCase(queries: number): AttentionCase {
  return buildCase(
    { batch: 2, heads: 2, kvHeads: 2, queries, keys: 7, headDim: 8, valueDim: 4 },
    {
      mask: keyPadding(tensorRef('lengths', [2], 'i32')),
      normalizer: softmax({ sink: 0.5 }),
      outputs: { logSumExp: true },
    },
    { lengths: { tensor: intTensor([2], [0, 5]) } },
  );
}
