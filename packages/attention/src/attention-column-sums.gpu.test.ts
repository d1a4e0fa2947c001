import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { COLUMN_SUM_CASES, columnSumCase } from '../test/column-sum-case.js';
import { runKernels } from '../test/run-kernels.js';

/**
 * f32 budget of the column sums, relative to each sum (c_j ≥ one p, ≤ Nq): each p_ij = exp(s − lse)
 * carries the rounding of a score and the row lse (≲ 1e-6 relative at these sizes) and the
 * transposed log-sum-exp adds its own (≲ Nq·ε); 1e-5 leaves a margin of about ten.
 */
const COLUMN_SUM_BUDGET = 1e-5;

describe('attentionColumnSums on the device: the transposed attention kernel', () => {
  COLUMN_SUM_CASES.forEach(({ label }, index) => {
    it(`${label}: column sums match the dense float64 ones; two attention kernels`, async () => {
      const testCase = columnSumCase(index, 41);
      const { device } = await getTestDevice();
      const { outputs, wgsl } = await runKernels(device, testCase.graph, testCase.inputs, testCase.dims);
      expect(wgsl.filter((code) => code.includes('fn main(')).length).toBeGreaterThanOrEqual(2);
      const sums = outputs.columnSums!;
      expect(Array.from(sums).some(Number.isNaN), `${label}: NaN (poisoned output not written)`).toBe(false);
      let worst = 0;
      sums.forEach((x, j) => {
        worst = Math.max(worst, Math.abs(x - testCase.dense[j]!) / Math.max(testCase.dense[j]!, 1e-30));
      });
      console.log(`${label}: column sums max relative error vs float64 ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(COLUMN_SUM_BUDGET);
    }, 180_000);
  });
});
