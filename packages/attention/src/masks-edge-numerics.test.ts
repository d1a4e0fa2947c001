import { SpecError } from '@weft/ir';
import { expectClose } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { buildCase, decomposedOf, referenceOf } from '../test/attention-case.js';
import {
  and,
  blockCausal,
  causal,
  chunked,
  fixedSparse,
  type Mask,
  prefixLM,
  slidingWindow,
  stridedSparse,
} from './index.js';

const SHAPE = { batch: 1, heads: 2, kvHeads: 2, queries: 5, keys: 9, headDim: 8, valueDim: 4 };

/** The float64 output of attention under `mask` (reference, checked against the decomposition). */
function outputUnder(mask: Mask | undefined) {
  const testCase = buildCase(SHAPE, mask === undefined ? {} : { mask });
  const reference = referenceOf(testCase).output!;
  expectClose(decomposedOf(testCase).output!, reference, { rtol: 1e-9, atol: 1e-12 });
  return reference;
}

describe('mask sizes beyond i32', () => {
  const causalOutput = outputUnder(causal());
  const full = outputUnder(undefined);
  for (const size of [2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40]) {
    it(`size ${size}: the same mask as a size covering every position`, () => {
      expectClose(outputUnder(and(causal(), slidingWindow(size))), causalOutput, { rtol: 1e-12 });
      expectClose(outputUnder(stridedSparse(size)), causalOutput, { rtol: 1e-12 });
      expectClose(outputUnder(prefixLM(size)), full, { rtol: 1e-12 });
      expectClose(outputUnder(chunked(size)), full, { rtol: 1e-12 });
      expectClose(outputUnder(blockCausal(size)), full, { rtol: 1e-12 });
    });
  }

  it('fixedSparse rejects a stride beyond i32, naming the mask and the option', () => {
    expect(() => fixedSparse(2 ** 31, 1)).toThrow(SpecError);
    expect(() => fixedSparse(2 ** 31, 1)).toThrow(/fixedSparse: stride/);
    expect(() => fixedSparse(2 ** 31 - 1, 1)).not.toThrow();
  });
});
