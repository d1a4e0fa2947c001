import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { type CaseShape, graphOf, referenceOf } from '../test/attention-case.js';
import { checkCatalogInstance, worst } from '../test/check-catalog-entry.js';
import { denseKvHeadOutput, kvHeadCase } from '../test/kv-head-case.js';
import { denseProbabilisticGqa, probabilisticGqaInstance } from '../test/probabilistic-gqa-instance.js';
import { runKernels } from '../test/run-kernels.js';

/** f32 kernels vs float64, normwise relative error (as the other GQA kernel tests). */
const TOLERANCE = 2e-6;
/** Probabilistic attention: scores near −3 over 24 keys, as the catalog test (measured near 1e-7). */
const PROBABILISTIC_TOLERANCE = 1e-5;

const errors: Record<string, number> = {};

/** Lengths 1, a prime, uneven (Nq, Nk), and a decode shape that runs the split-keys kernel. */
const LENGTHS: [string, number, number, boolean][] = [
  ['Nq=Nk=1', 1, 1, false],
  ['Nq=Nk=37', 37, 37, false],
  ['Nq=19 Nk=41', 19, 41, false],
  ['decode Nq=1 Nk=70', 1, 70, true],
];

const LAYOUTS: [string, Omit<CaseShape, 'queries' | 'keys'>][] = [
  ['H=8 Hk=2 Hv=8', { batch: 2, heads: 8, kvHeads: 2, valueHeads: 8, headDim: 8, valueDim: 12 }],
  ['H=6 Hk=3 Hv=2', { batch: 1, heads: 6, kvHeads: 3, valueHeads: 2, headDim: 12, valueDim: 8 }],
];

describe('kvHead / valueHead in score mods and masks on the device vs float64', () => {
  afterAll(() => {
    console.log('kvHead / valueHead kernel errors:', errors);
  });
  let seed = 1000;
  for (const [layout, shape] of LAYOUTS) {
    for (const [lengthName, queries, keys, split] of LENGTHS) {
      const caseSeed = seed++;
      it(`${layout}, ${lengthName}: bias [B, Hk, Nk] and [B, Hv, Nk], gate mask [B, Hk, Nk]`, async () => {
        const label = `${layout} ${lengthName}`;
        const testCase = kvHeadCase({ ...shape, queries, keys }, caseSeed);
        const { device } = await getTestDevice();
        const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([name, t]) => [name, t.data]));
        const { outputs, wgsl } = await runKernels(device, graphOf(testCase), inputs, testCase.dims);
        const kernels = wgsl.filter((text) => text.includes('query_row'));
        expect(kernels.length, `${label}: one attention kernel`).toBe(1);
        expect(kernels[0]!.includes('part_acc'), `${label}: split keys`).toBe(split);
        const actual = outputs.output!;
        expect(Array.from(actual).some(Number.isNaN), `${label} has NaN`).toBe(false);
        const dense = denseKvHeadOutput(testCase);
        const reference = referenceOf(testCase).output!.data;
        errors[label] = relativeError(actual, dense);
        expect(relativeError(reference, dense), `${label}: reference vs dense`).toBeLessThan(1e-12);
        expect(errors[label], label).toBeLessThan(TOLERANCE);
      });
    }
  }

  it('probabilistic attention (catalog #76) with H=4 over Hk=2: device vs the dense E-step', async () => {
    const sizes = { batch: 1, heads: 4, kvHeads: 2, queries: 24, keys: 24, headDim: 16 };
    const check = await checkCatalogInstance(probabilisticGqaInstance(sizes, 70), (values) => ({
      output: denseProbabilisticGqa(sizes, values),
    }));
    errors['probabilistic H=4 Hk=2 device vs dense'] = worst(check.deviceVersusDense);
    expect(worst(check.referenceVersusDense)).toBeLessThan(1e-12);
    expect(worst(check.deviceVersusReference)).toBeLessThan(PROBABILISTIC_TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(PROBABILISTIC_TOLERANCE);
  });
});
