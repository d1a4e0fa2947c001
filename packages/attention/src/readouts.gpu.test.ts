import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCase, type CaseShape, graphOf } from '../test/attention-case.js';
import { denseReadouts } from '../test/dense-readouts.js';
import { naiveAttention } from '../test/naive-attention.js';
import { runKernels } from '../test/run-kernels.js';
import { causal, softmax } from './index.js';

/**
 * f32 budget of the readouts, absolute (each is a sum of probabilities p ≤ 1 or −Σ p (s − lse)):
 * p = exp(s − lse) carries the rounding of one score (d·ε·|s|, d = 16) and of the log-sum-exp
 * ((d + N)·ε, N ≤ 48 kept keys): ≲ 1e-5 relative; the entropy sums those errors weighted by p
 * times |s − lse| ≲ 10, so 1e-4 for it and 2e-5 for the diagonal and the segment masses.
 */
const ENTROPY_BUDGET = 1e-4;
const PROBABILITY_BUDGET = 2e-5;
/** O, normwise relative (as the other attention kernel tests). */
const OUTPUT_BUDGET = 2e-5;
const SEGMENTS = [0, 7, 20, 33];
const PROBES = [-1, 0];

const errors: Record<string, number> = {};

function maxAbsoluteError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

describe('the attention kernel writes its readouts in the same pass (device)', () => {
  // Prefill runs the several-rows form on a software adapter; a sink (not plain softmax) and the
  // decoding shape run the one-row form. Both fold the readouts into the online pass.
  for (const [label, shape, sink] of [
    [
      'prefill, two query blocks',
      { batch: 1, heads: 2, kvHeads: 1, queries: 40, keys: 40, headDim: 16, valueDim: 8 },
      undefined,
    ],
    [
      'prefill with a sink logit 0.5',
      { batch: 1, heads: 2, kvHeads: 1, queries: 40, keys: 40, headDim: 16, valueDim: 8 },
      0.5,
    ],
    [
      'decoding shape (one query, 48 keys)',
      { batch: 1, heads: 2, kvHeads: 2, queries: 1, keys: 48, headDim: 16, valueDim: 8 },
      undefined,
    ],
  ] as const satisfies readonly (readonly [string, CaseShape, number | undefined])[]) {
    it(`${label}: entropy, diagonal, segment mass and probes match the dense formulas; one kernel`, async () => {
      const testCase = buildCase(
        shape,
        {
          mask: causal(),
          ...(sink === undefined ? {} : { normalizer: softmax({ sink }) }),
          outputs: { entropy: true, diagonal: true, segmentMass: SEGMENTS, probeRows: PROBES },
        },
        {},
        29,
      );
      const { device } = await getTestDevice();
      const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([name, t]) => [name, t.data]));
      const { outputs, kernels } = await runKernels(device, graphOf(testCase), inputs, testCase.dims);
      expect(kernels, `${label}: one kernel`).toBe(1);
      const keep = (i: number, j: number) => j <= i + shape.keys - shape.queries;
      const dense = denseReadouts({
        ...shape,
        query: testCase.inputs.q!.data,
        key: testCase.inputs.k!.data,
        keep,
        segmentStarts: SEGMENTS,
        probeRows: PROBES,
        ...(sink === undefined ? {} : { sink }),
      });
      const naive = naiveAttention({
        ...shape,
        query: testCase.inputs.q!.data,
        key: testCase.inputs.k!.data,
        value: testCase.inputs.v!.data,
        keep: (_b, _h, i, j) => keep(i, j),
        ...(sink === undefined ? {} : { sink }),
      });
      for (const name of ['output', 'entropy', 'diagonal', 'segmentMass', 'probeRows'] as const)
        expect(Array.from(outputs[name]!).some(Number.isNaN), `${label} ${name} has NaN`).toBe(false);
      const output = relativeError(outputs.output!, naive.output);
      errors[`${label} output (normwise rel)`] = output;
      expect(output).toBeLessThan(OUTPUT_BUDGET);
      for (const [name, budget] of [
        ['entropy', ENTROPY_BUDGET],
        ['diagonal', PROBABILITY_BUDGET],
        ['segmentMass', PROBABILITY_BUDGET],
        ['probeRows', PROBABILITY_BUDGET],
      ] as const) {
        const error = maxAbsoluteError(outputs[name]!, dense[name]);
        errors[`${label} ${name} (max abs)`] = error;
        expect(error, `${label} ${name}`).toBeLessThan(budget);
      }
    }, 120_000);
  }
  it('probes alone (one-row form: a sink, no other readout) are rewritten to probabilities', async () => {
    const shape = { batch: 1, heads: 2, kvHeads: 1, queries: 40, keys: 40, headDim: 16, valueDim: 8 };
    const testCase = buildCase(
      shape,
      { mask: causal(), normalizer: softmax({ sink: 0.5 }), outputs: { probeRows: PROBES } },
      {},
      31,
    );
    const { device } = await getTestDevice();
    const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([name, t]) => [name, t.data]));
    const { outputs, kernels } = await runKernels(device, graphOf(testCase), inputs, testCase.dims);
    expect(kernels).toBe(1);
    const dense = denseReadouts({
      ...shape,
      query: testCase.inputs.q!.data,
      key: testCase.inputs.k!.data,
      keep: (i, j) => j <= i,
      segmentStarts: [0],
      probeRows: PROBES,
      sink: 0.5,
    });
    const error = maxAbsoluteError(outputs.probeRows!, dense.probeRows);
    errors['probes alone, sink: probeRows (max abs)'] = error;
    expect(error).toBeLessThan(PROBABILITY_BUDGET);
  }, 120_000);
  afterAll(() => {
    console.log('readout errors vs float64:', errors);
  });
});
