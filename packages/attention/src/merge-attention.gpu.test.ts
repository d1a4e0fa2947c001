import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { type MergeCase, mergeCase } from '../test/merge-case.js';
import { runKernels } from '../test/run-kernels.js';

/**
 * f32 budgets of the merged result against dense float64 attention over all keys: each partial's
 * error (as the attention kernel's) plus a few roundings of the merge's exp and log. O normwise
 * relative 2e-5; the log-sum-exp absolute 2e-5 (values of order 1–5, ~30 keys: (d + N)·ε ≈ 5e-6).
 */
const OUTPUT_BUDGET = 2e-5;
const LSE_BUDGET = 2e-5;

const errors: Record<string, number> = {};

async function check(label: string, testCase: MergeCase) {
  const { device } = await getTestDevice();
  const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([name, t]) => [name, t.data]));
  const { outputs } = await runKernels(device, testCase.graph, inputs, {});
  for (const name of ['output', 'logSumExp']) {
    expect(Array.from(outputs[name]!).some(Number.isNaN), `${label} ${name} has NaN`).toBe(false);
  }
  const outputError = relativeError(outputs.output!, testCase.expected.output);
  const lse = outputs.logSumExp!;
  const lseError = lse.reduce(
    (worst, x, i) => Math.max(worst, Math.abs(x - testCase.expected.logSumExp[i]!)),
    0,
  );
  errors[`${label} output (normwise rel)`] = outputError;
  errors[`${label} logSumExp (max abs)`] = lseError;
  expect(outputError, `${label} output`).toBeLessThan(OUTPUT_BUDGET);
  expect(lseError, `${label} logSumExp`).toBeLessThan(LSE_BUDGET);
}

describe('mergeAttention on a WebGPU device equals attention over all keys (float64)', () => {
  const seed = 1 + Math.floor(Math.random() * 1e6);
  it('keys split in 2 parts', async () => {
    await check('2 parts', mergeCase({ queries: 3, keys: 17, cuts: [6] }, seed));
  });
  it('keys split in 3 parts', async () => {
    await check('3 parts', mergeCase({ queries: 3, keys: 22, cuts: [5, 13] }, seed + 10));
  });
  it('split prefill: cached keys + causal chunk', async () => {
    await check('split prefill', mergeCase({ queries: 5, keys: 14, splitPrefill: true }, seed + 20));
  });
  afterAll(() => {
    console.log(
      `mergeAttention on the device (seed ${seed}):\n${Object.entries(errors)
        .map(([name, error]) => `  ${name}: ${error.toExponential(2)}`)
        .join('\n')}`,
    );
  });
});
