import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCase, type CaseShape, graphOf } from '../test/attention-case.js';
import { naiveAttention } from '../test/naive-attention.js';
import { runKernels } from '../test/run-kernels.js';
import { causal, type Normalizer, softmax } from './index.js';

/**
 * f32 budget of the row log-sum-exp, absolute: each score carries about d·ε of rounding (d = 16)
 * and the running sum about N·ε relative (N ≤ 70 kept keys), so |Δ lse| ≲ (d + N)·ε ≈ 1e-5; twice
 * that. The row max is one score: d·ε·|s| ≲ 1e-5 as well.
 */
const LSE_BUDGET = 2e-5;
/** O, normwise relative (as the other attention kernel tests). */
const OUTPUT_BUDGET = 2e-5;

const errors: Record<string, number> = {};

/**
 * Runs attention with `outputs: { logSumExp, rowMax }` on the device (outputs NaN-poisoned) and
 * compares all three results with the hand-written float64 attention (`naiveAttention`).
 */
async function check(
  label: string,
  shape: CaseShape,
  normalizer: Normalizer,
  sink: number | undefined,
  seed: number,
) {
  const testCase = buildCase(
    shape,
    { mask: causal(), normalizer, outputs: { logSumExp: true, rowMax: true } },
    {},
    seed,
  );
  const { device } = await getTestDevice();
  const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([name, t]) => [name, t.data]));
  const { outputs, kernels, wgsl } = await runKernels(device, graphOf(testCase), inputs, testCase.dims);
  // One kernel writes O, the log-sum-exp and the row max (before: one kernel per result).
  expect(kernels, `${label}: one kernel`).toBe(1);
  const dense = naiveAttention({
    ...shape,
    query: testCase.inputs.q!.data,
    key: testCase.inputs.k!.data,
    value: testCase.inputs.v!.data,
    keep: (_b, _h, i, j) => j <= i + shape.keys - shape.queries,
    ...(sink === undefined ? {} : { sink }),
  });
  for (const name of ['output', 'logSumExp', 'rowMax'] as const) {
    expect(Array.from(outputs[name]!).some(Number.isNaN), `${label} ${name} has NaN`).toBe(false);
  }
  const lseError = maxAbsoluteError(outputs.logSumExp!, dense.logSumExp);
  const maxError = maxAbsoluteError(outputs.rowMax!, dense.rowMax);
  const outputError = relativeError(outputs.output!, dense.output);
  errors[`${label} logSumExp (max abs)`] = lseError;
  errors[`${label} rowMax (max abs)`] = maxError;
  errors[`${label} output (normwise rel)`] = outputError;
  expect(lseError, `${label} logSumExp`).toBeLessThan(LSE_BUDGET);
  expect(maxError, `${label} rowMax`).toBeLessThan(LSE_BUDGET);
  expect(outputError, `${label} output`).toBeLessThan(OUTPUT_BUDGET);
  return wgsl[0]!;
}

function maxAbsoluteError(actual: Float32Array, expected: Float64Array): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    // Both −∞ (a row without kept keys) is exact; the causal cases here keep a key in every row.
    if (actual[i] === expected[i]) continue;
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  return worst;
}

describe('row log-sum-exp and row max written by the attention kernel that computes O', () => {
  const prefill: CaseShape = {
    batch: 2,
    heads: 4,
    kvHeads: 2,
    queries: 37,
    keys: 37,
    headDim: 16,
    valueDim: 8,
  };
  const decode: CaseShape = {
    batch: 2,
    heads: 4,
    kvHeads: 2,
    queries: 1,
    keys: 70,
    headDim: 16,
    valueDim: 8,
  };
  const seed = 1 + Math.floor(Math.random() * 1e6);

  it('prefill, plain softmax (several query rows per invocation on a software adapter)', async () => {
    const wgsl = await check('prefill softmax', prefill, softmax(), undefined, seed);
    expect(wgsl).toContain('log(');
  });
  it('prefill, softmax with a sink logit (one query row per invocation)', async () => {
    await check('prefill sink', prefill, softmax({ sink: 0.5 }), 0.5, seed + 10);
  });
  it('decoding (split keys): partials merged exactly into O and the log-sum-exp', async () => {
    const wgsl = await check('decode softmax', decode, softmax(), undefined, seed + 20);
    expect(wgsl, 'split-keys kernel').toContain('part_acc');
  });
  it('decoding (split keys) with a sink logit', async () => {
    await check('decode sink', decode, softmax({ sink: -0.25 }), -0.25, seed + 30);
  });
  afterAll(() => {
    console.log(
      `LSE in the same pass (seed ${seed}):\n${Object.entries(errors)
        .map(([name, error]) => `  ${name}: ${error.toExponential(2)}`)
        .join('\n')}`,
    );
  });
});
