import { afterAll, describe, it } from 'vitest';
import { buildCase, referenceOf } from '../test/attention-case.js';
import { expectWithin, runCase } from '../test/run-case.js';
import {
  and,
  blockCausal,
  causal,
  chunked,
  type Mask,
  prefixLM,
  slidingWindow,
  stridedSparse,
} from './index.js';

const errors: Record<string, number> = {};
const SHAPE = { batch: 1, heads: 2, kvHeads: 2, queries: 5, keys: 9, headDim: 8, valueDim: 4 };

describe('mask sizes beyond i32 on the GPU vs the float64 reference', () => {
  afterAll(() => {
    console.log('mask size errors:', errors);
  });

  for (const size of [2 ** 31, 2 ** 32]) {
    it(`size ${size}: kernels keep the keys the reference keeps`, async () => {
      const masks: Record<string, Mask> = {
        slidingWindow: and(causal(), slidingWindow(size)),
        prefixLM: prefixLM(size),
        chunked: chunked(size),
        blockCausal: blockCausal(size),
        stridedSparse: stridedSparse(size),
      };
      for (const [name, mask] of Object.entries(masks)) {
        const testCase = buildCase(SHAPE, { mask });
        const { outputs } = await runCase(testCase);
        expectWithin(errors, `${name}(${size})`, outputs.output!, referenceOf(testCase).output!, 1e-5);
      }
    });
  }
});
