import { afterAll, describe, expect, it } from 'vitest';
import { type AttentionCase, type CaseShape, tensorRef } from '../test/attention-case.js';
import { densePLaplacian, type PLaplacianCaseOptions, pLaplacianCase } from '../test/p-laplacian-case.js';
import { expectWithin, runCase } from '../test/run-case.js';
import { causal } from './index.js';

/**
 * f32 kernels (outputs NaN-poisoned before the run) vs the hand-written float64 reference,
 * normwise relative error (worst measured on SwiftShader: 5.7e-7).
 */
const TOLERANCE = 2e-6;

const errors: Record<string, number> = {};

async function check(label: string, testCase: AttentionCase, options: PLaplacianCaseOptions, split: boolean) {
  const { outputs, wgsl } = await runCase(testCase);
  for (const text of wgsl) expect(text.includes('part_acc'), `${label}: split keys = ${split}`).toBe(split);
  const { queries, keys } = testCase.shape;
  const values = (parameter: PLaplacianCaseOptions['p'], name: string) => (h: number) =>
    typeof parameter === 'number' ? parameter : options.parameters![name]!.data[h]!;
  const reference = densePLaplacian(testCase, {
    p: values(options.p, 'p'),
    mu: values(options.mu, 'mu'),
    epsilon: options.epsilon ?? 1e-6,
    anchorScale: options.anchorScale ?? 2,
    ...(options.mask === undefined ? {} : { keep: (_b, _h, i, j) => j <= i + keys - queries }),
  });
  expectWithin(errors, label, outputs.output!, reference, TOLERANCE);
}

/** Lengths 1, primes and non-multiples of the tiles, and (5, 3): causal rows 0 and 1 keep no key. */
const LENGTHS: [number, number][] = [
  [1, 1],
  [5, 3],
  [37, 37],
  [19, 41],
  [70, 70],
];
const shapeOf = (queries: number, keys: number): CaseShape => ({
  batch: 2,
  heads: 4,
  kvHeads: 2,
  queries,
  keys,
  headDim: 12,
  valueDim: 6,
});

const perHead = (values: number[]) => ({
  shape: [4],
  dtype: 'f32' as const,
  data: Float64Array.from(values),
});

const CASES: [string, PLaplacianCaseOptions][] = [
  ['p=1.5 μ=0.5', { p: 1.5, mu: 0.5 }],
  ['p=2 μ=1', { p: 2, mu: 1 }],
  ['p=3 μ=0.25', { p: 3, mu: 0.25 }],
  [
    'per-head p, μ, c=4',
    {
      p: tensorRef('p', [4]),
      mu: tensorRef('mu', [4]),
      anchorScale: 4,
      parameters: { p: perHead([1.2, 1.8, 2.5, 4]), mu: perHead([0, 0.3, 1, 2]) },
    },
  ],
];

describe('p-Laplacian attention in the fused kernels vs the float64 reference', () => {
  afterAll(() => {
    const worst = Object.entries(errors).reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
    console.log('p-Laplacian kernel errors:', errors, 'worst:', worst);
  });

  let seed = 500;
  for (const [label, options] of CASES) {
    for (const masked of [false, true]) {
      const caseSeed = seed++;
      const caseOptions: PLaplacianCaseOptions = masked ? { ...options, mask: causal() } : options;
      it(`${label}${masked ? ', causal' : ''}`, async () => {
        for (const [queries, keys] of LENGTHS) {
          const testCase = pLaplacianCase(shapeOf(queries, keys), caseOptions, caseSeed);
          await check(
            `${label}${masked ? ' causal' : ''} Nq=${queries} Nk=${keys}`,
            testCase,
            caseOptions,
            false,
          );
        }
      });
    }
  }

  it('decode: the split-keys kernel merges (m, l, w, acc)', async () => {
    for (const [queries, keys] of [
      [1, 70],
      [2, 131],
    ] as const) {
      for (const [label, options] of CASES) {
        const caseOptions: PLaplacianCaseOptions = { ...options, mask: causal() };
        const testCase = pLaplacianCase(shapeOf(queries, keys), caseOptions, 520 + keys);
        await check(`decode ${label} Nq=${queries} Nk=${keys}`, testCase, caseOptions, true);
      }
    }
  });
});
