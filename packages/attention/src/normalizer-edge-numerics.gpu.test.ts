import { afterAll, describe, expect, it } from 'vitest';
import { buildCase, referenceOf } from '../test/attention-case.js';
import { expectWithin, runCase } from '../test/run-case.js';
import { sinkCase } from '../test/sink-case.js';
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

  it('softmax with a sink: log-sum-exp of a fully masked row is −∞ (tiled and split-keys kernels)', async () => {
    for (const queries of [9, 1]) {
      const testCase = sinkCase(queries);
      const { outputs } = await runCase(testCase);
      const reference = referenceOf(testCase).logSumExp!.data;
      const lse = Array.from(outputs.logSumExp!);
      expect(lse.slice(0, 2 * queries), `Nq=${queries} masked rows`).toEqual(
        Array(2 * queries).fill(-Infinity),
      );
      const kept = lse.slice(2 * queries);
      const error = Math.max(...kept.map((value, i) => Math.abs(value - reference[2 * queries + i]!)));
      errors[`sink lse Nq=${queries} (abs, kept rows)`] = error;
      expect(error).toBeLessThan(1e-5);
    }
  });
});
