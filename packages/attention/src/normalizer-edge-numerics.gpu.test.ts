import { afterAll, describe, it } from 'vitest';
import { buildCase, referenceOf } from '../test/attention-case.js';
import { expectWithin, runCase } from '../test/run-case.js';
import { softplusNormalized } from './index.js';

const errors: Record<string, number> = {};

describe('attention normalizers at the edges on the GPU vs the float64 reference', () => {
  afterAll(() => {
    console.log('normalizer edge errors:', errors);
  });

  it('softplusNormalized of scores around −20 (softplus ≈ 2e-9, not 0)', async () => {
    // Tiled (Nq = 9) and split-keys (Nq = 1) kernels.
    for (const queries of [9, 1]) {
      const testCase = buildCase(
        { batch: 1, heads: 2, kvHeads: 2, queries, keys: 37, headDim: 4, valueDim: 8 },
        { normalizer: softplusNormalized() },
      );
      // q = 10, k in [−1.1, −0.9]: scores q·k/√4 in [−22, −18].
      testCase.inputs.q!.data.fill(10);
      const key = testCase.inputs.k!.data;
      for (let i = 0; i < key.length; i++) key[i] = -1 + 0.1 * Math.sin(7 * i);
      await runCase(testCase).then(({ outputs }) =>
        expectWithin(
          errors,
          `softplus s≈−20 Nq=${queries}`,
          outputs.output!,
          referenceOf(testCase).output!,
          1e-5,
        ),
      );
    }
  });
});
