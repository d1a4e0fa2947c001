import { describe, expect, it } from 'vitest';
import { decomposedOf, referenceOf } from '../test/attention-case.js';
import { sinkCase } from '../test/sink-case.js';

describe('softmax with a sink: log-sum-exp of a fully masked row (float64)', () => {
  it('is −∞ in the reference and the decomposition; rows with kept keys include the sink', () => {
    const testCase = sinkCase(3);
    for (const result of [referenceOf(testCase), decomposedOf(testCase)]) {
      const lse = Array.from(result.logSumExp!.data);
      // [batch 2, heads 2, queries 3]: batch 0 is fully masked.
      expect(lse.slice(0, 6)).toEqual(Array(6).fill(-Infinity));
      for (const value of lse.slice(6)) expect(Number.isFinite(value)).toBe(true);
      expect(Array.from(result.output!.data.slice(0, 24))).toEqual(Array(24).fill(0));
    }
    const reference = referenceOf(testCase).logSumExp!.data;
    const decomposed = decomposedOf(testCase).logSumExp!.data;
    for (let i = 6; i < 12; i++) expect(decomposed[i]).toBeCloseTo(reference[i]!, 12);
  });
});
