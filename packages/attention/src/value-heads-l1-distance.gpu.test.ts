import { symbolicDim } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AttentionCase,
  buildCase,
  type CaseShape,
  graphOf,
  referenceOf,
} from '../test/attention-case.js';
import { runKernels } from '../test/run-kernels.js';
import {
  type AttentionOptions,
  causal,
  identity,
  qkNorm,
  rope,
  scoreMod,
  sigmoid,
  softmax,
} from './index.js';

/** f32 kernels vs the float64 reference, normwise relative error. */
const TOLERANCE = 2e-6;
/** With RoPE: f32 sin/cos of large angles lose a few bits on SwiftShader (as in the other kernel tests). */
const ROPE_TOLERANCE = 2e-4;
/**
 * RoPE and an L1 term: |Δ| of every rotated dim adds up in the score (measured 2.6e-4 with layer
 * QK norm and RoPE, Nk = 97, against 1.7e-4 for RoPE alone).
 */
const L1_ROPE_TOLERANCE = 5e-4;

const errors: Record<string, number> = {};

/**
 * Runs one case with NaN-poisoned outputs and checks the error; `split` (when given) is whether
 * the split-keys decode kernel ran, `distance` whether the kernel accumulates the L1 distance.
 */
async function check(
  label: string,
  testCase: AttentionCase,
  expected: { split?: boolean; distance: boolean; tolerance: number },
) {
  const { device } = await getTestDevice();
  const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([name, t]) => [name, t.data]));
  const { outputs, wgsl } = await runKernels(device, graphOf(testCase), inputs, testCase.dims);
  const attentionKernels = wgsl.filter((text) => text.includes('query_row'));
  expect(attentionKernels.length, `${label}: one attention kernel`).toBe(1);
  const text = attentionKernels[0]!;
  if (expected.split !== undefined)
    expect(text.includes('part_acc'), `${label}: split keys`).toBe(expected.split);
  expect(text.includes('l1_distance'), `${label}: L1 distance code`).toBe(expected.distance);
  const reference = referenceOf(testCase);
  for (const name of Object.keys(reference)) {
    const actual = outputs[name]!;
    expect(Array.from(actual).some(Number.isNaN), `${label} ${name} has NaN`).toBe(false);
    const error = relativeError(actual, reference[name]!);
    errors[`${label} ${name}`] = error;
    expect(error, `${label} ${name}`).toBeLessThan(expected.tolerance);
  }
}

/** Lengths 1, primes and non-multiples of the tiles; decode shapes run the split-keys kernel. */
const LENGTHS: [string, number, number, boolean | undefined][] = [
  ['Nq=Nk=1', 1, 1, false],
  ['Nq=Nk=37', 37, 37, false],
  ['Nq=19 Nk=41', 19, 41, false],
  ['decode Nq=1 Nk=67', 1, 67, true],
  ['decode Nq=3 Nk=97', 3, 97, true],
];

/** Comateformer (catalog #23): tanh(α·s)·σ(−β·‖q − k‖₁). */
const comateformer = scoreMod(
  (score, { l1Distance }) => score.mul(1.5).apply('tanh').mul(l1Distance.mul(-0.2).apply('sigmoid')),
  'comateformer',
);

type CaseOptions = Omit<AttentionOptions, 'heads' | 'kvHeads' | 'headDim' | 'valueDim'>;

const CASES: [string, Omit<CaseShape, 'queries' | 'keys'>, CaseOptions, boolean, number][] = [
  [
    'Hk=2 Hv=8 softmax causal',
    { batch: 2, heads: 8, kvHeads: 2, valueHeads: 8, headDim: 8, valueDim: 12 },
    { mask: causal(), normalizer: softmax() },
    false,
    TOLERANCE,
  ],
  [
    'Hk=3 Hv=2 sigmoid',
    { batch: 1, heads: 6, kvHeads: 3, valueHeads: 2, headDim: 12, valueDim: 8 },
    { normalizer: sigmoid() },
    false,
    TOLERANCE,
  ],
  [
    'Hk=1 Hv=4 RMS QK norm + RoPE',
    { batch: 1, heads: 4, kvHeads: 1, valueHeads: 4, headDim: 8, valueDim: 16 },
    { qkNorm: qkNorm({ kind: 'rms', scale: 'none' }), positions: rope(), mask: causal() },
    false,
    ROPE_TOLERANCE,
  ],
  [
    'Comateformer identity(none)',
    { batch: 2, heads: 4, kvHeads: 2, headDim: 8, valueDim: 6 },
    { score: [comateformer], normalizer: identity({ outputNorm: 'none' }) },
    true,
    TOLERANCE,
  ],
  [
    'Comateformer causal, Hv=4',
    { batch: 1, heads: 4, kvHeads: 1, valueHeads: 4, headDim: 16, valueDim: 8 },
    { score: [comateformer], mask: causal(), normalizer: identity({ outputNorm: 'none' }) },
    true,
    TOLERANCE,
  ],
  [
    'L1 score with layer QK norm, softmax',
    { batch: 1, heads: 2, kvHeads: 2, headDim: 8, valueDim: 8 },
    {
      qkNorm: qkNorm({ kind: 'layer', scale: 'none' }),
      score: [scoreMod((score, { l1Distance }) => score.sub(l1Distance.mul(0.3)))],
    },
    true,
    TOLERANCE,
  ],
  [
    'L1 score with RoPE, softmax',
    { batch: 1, heads: 2, kvHeads: 1, headDim: 8, valueDim: 8 },
    {
      positions: rope(),
      mask: causal(),
      score: [scoreMod((score, { l1Distance }) => score.sub(l1Distance.mul(0.3)))],
    },
    true,
    L1_ROPE_TOLERANCE,
  ],
];

describe('decoupled value heads and the L1-distance score in the fused kernels vs the float64 reference', () => {
  afterAll(() => {
    console.log('value-heads / L1-distance kernel errors:', errors);
  });
  let seed = 700;
  for (const [caseName, shape, options, distance, tolerance] of CASES) {
    for (const [lengthName, queries, keys, split] of LENGTHS) {
      const caseSeed = seed++;
      it(`${caseName}, ${lengthName}`, async () => {
        const testCase = buildCase({ ...shape, queries, keys }, { name: 'attn', ...options }, {}, caseSeed);
        await check(`${caseName} ${lengthName}`, testCase, {
          ...(split === undefined ? {} : { split }),
          distance,
          tolerance,
        });
      });
    }
  }

  it('decoding against a growing KV cache (symbolic key length): Hk=2, Hv=8 and a Comateformer score', async () => {
    const { device } = await getTestDevice();
    const cache = symbolicDim('cache', { max: 160 });
    const shape = { batch: 1, heads: 8, kvHeads: 2, valueHeads: 8, queries: 1, headDim: 8, valueDim: 12 };
    for (const [variant, options] of [
      ['softmax', { mask: causal() }],
      ['comateformer', { score: [comateformer], normalizer: identity({ outputNorm: 'none' }) }],
    ] as const) {
      for (const keys of [2, 67, 131]) {
        const testCase = buildCase({ ...shape, keys }, { name: 'cache', ...options }, {}, 800 + keys, {
          queries: 1,
          keys: cache,
        });
        const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([name, t]) => [name, t.data]));
        const { outputs, wgsl } = await runKernels(device, graphOf(testCase), inputs, testCase.dims);
        expect(
          wgsl.some((text) => text.includes('part_acc')),
          `${variant}: split keys`,
        ).toBe(true);
        const error = relativeError(outputs.output!, referenceOf(testCase).output!);
        errors[`cache ${variant} Nk=${keys}`] = error;
        expect(Array.from(outputs.output!).some(Number.isNaN)).toBe(false);
        expect(error, `cache ${variant} Nk=${keys}`).toBeLessThan(TOLERANCE);
      }
    }
  });
});
