import { afterAll, describe, expect, it } from 'vitest';
import {
  type AttentionCase,
  buildCase,
  type CaseShape,
  intTensor,
  referenceOf,
  tensorRef,
} from '../test/attention-case.js';
import { expectWithin, runCase } from '../test/run-case.js';
import { causal, groupedSoftmax, keyPadding, type Mask, slidingWindow } from './index.js';

/** f32 kernel vs the float64 reference, normwise relative error. */
const TOLERANCE = 2e-6;

const errors: Record<string, number> = {};

async function check(label: string, testCase: AttentionCase) {
  // Outputs start NaN-poisoned: every element must be written.
  const { outputs, wgsl } = await runCase(testCase);
  for (const text of wgsl) expect(text.includes('part_acc'), `${label}: stays tiled`).toBe(false);
  const reference = referenceOf(testCase).output!;
  expect(
    reference.data.some((x) => x !== 0),
    `${label}: reference not all zero`,
  ).toBe(true);
  expectWithin(errors, label, outputs.output!, reference, TOLERANCE);
}

/** Lengths 1, primes and non-multiples of the tiles; [queries, keys]. */
const LENGTHS: [number, number][] = [
  [1, 1],
  [37, 37],
  [19, 41],
  [70, 70],
  [1, 70],
  [23, 11],
];
const shapeOf = (queries: number, keys: number): CaseShape => ({
  batch: 2,
  heads: 4,
  kvHeads: 2,
  queries,
  keys,
  headDim: 12,
  valueDim: 8,
});

const lengths = tensorRef('lengths', [2], 'i32');

/** Key padding hides whole blocks and landmarks of the second batch entry (empty blocks). */
const MASKS: [string, Mask | undefined][] = [
  ['no mask', undefined],
  ['causal', causal()],
  ['sliding window 9', slidingWindow(9)],
  ['key padding', keyPadding(lengths)],
];

const paddingLengths = (keys: number) => ({
  lengths: { tensor: intTensor([2], [keys, Math.ceil(keys / 3)]) },
});

describe('Landmark grouped softmax in the fused kernel vs the float64 reference', () => {
  afterAll(() => {
    const worst = Object.entries(errors).reduce((a, b) => (b[1] > a[1] ? b : a), ['none', 0]);
    console.log('landmark grouped softmax kernel errors:', errors, 'worst:', worst);
  });

  let seed = 760;
  for (const blockSize of [1, 3, 5, 50]) {
    for (const [maskName, mask] of MASKS) {
      const caseSeed = seed++;
      it(`ℓ=${blockSize}, ${maskName}`, async () => {
        for (const [queries, keys] of LENGTHS) {
          const testCase = buildCase(
            shapeOf(queries, keys),
            { normalizer: groupedSoftmax({ blockSize }), ...(mask === undefined ? {} : { mask }) },
            maskName === 'key padding' ? paddingLengths(keys) : {},
            caseSeed,
          );
          await check(`ℓ=${blockSize} ${maskName} Nq=${queries} Nk=${keys}`, testCase);
        }
      });
    }
  }
});
