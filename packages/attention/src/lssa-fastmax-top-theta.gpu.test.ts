import type { Tensor64 } from '@weft/ir';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AttentionCase,
  buildCase,
  type CaseShape,
  referenceOf,
  tensorRef,
} from '../test/attention-case.js';
import { expectWithin, runCase } from '../test/run-case.js';
import {
  causal,
  type Normalizer,
  polynomialNormalized,
  softplusNormalized,
  type ThresholdCompensation,
  topTheta,
} from './index.js';

/** f32 kernels vs the float64 reference, normwise relative error. */
const TOLERANCE = 2e-6;
/** LSSAR raises f32 weights to a power and renormalizes twice: a few more ulps. */
const REWEIGHT_TOLERANCE = 1e-5;

const errors: Record<string, number> = {};

async function check(label: string, testCase: AttentionCase, split: boolean, tolerance: number) {
  const { outputs, wgsl } = await runCase(testCase);
  for (const text of wgsl) expect(text.includes('part_acc'), `${label}: split keys = ${split}`).toBe(split);
  expectWithin(errors, label, outputs.output!, referenceOf(testCase).output!, tolerance);
}

/** Lengths 1, primes and non-multiples of the tiles; [queries, keys]. */
const LENGTHS: [number, number][] = [
  [1, 1],
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
  valueDim: 8,
});

describe('LSSA, Fastmax and Top-θ in the fused kernels vs the float64 reference', () => {
  afterAll(() => {
    console.log('lssa / fastmax / top-θ kernel errors:', errors);
  });

  const l1Cases: [string, Normalizer, number][] = [
    ['LSSA ln N', softplusNormalized({ lengthScale: 'log' }), TOLERANCE],
    ['LSSA log_512 N', softplusNormalized({ lengthScale: 512 }), TOLERANCE],
    ['LSSAR power 2', softplusNormalized({ lengthScale: 'log', reweight: {} }), REWEIGHT_TOLERANCE],
    [
      'LSSAR reluPower 3',
      softplusNormalized({ lengthScale: 'log', reweight: { form: 'reluPower', power: 3 } }),
      REWEIGHT_TOLERANCE,
    ],
    ['fastmax p=1', polynomialNormalized({ degree: 1 }), TOLERANCE],
    ['fastmax p=2', polynomialNormalized({ degree: 2 }), TOLERANCE],
  ];
  let seed = 300;
  for (const [label, normalizer, tolerance] of l1Cases) {
    for (const masked of [false, true]) {
      const caseSeed = seed++;
      it(`${label}${masked ? ', causal' : ''}`, async () => {
        for (const [queries, keys] of LENGTHS) {
          const testCase = buildCase(
            shapeOf(queries, keys),
            { normalizer, ...(masked ? { mask: causal() } : {}) },
            {},
            caseSeed,
          );
          await check(
            `${label}${masked ? ' causal' : ''} Nq=${queries} Nk=${keys}`,
            testCase,
            false,
            tolerance,
          );
        }
      });
    }
  }

  it('decode: Fastmax uses the split-keys kernel, LSSA (needs N first) stays tiled', async () => {
    for (const keys of [70, 131]) {
      const shape = shapeOf(1, keys);
      for (const degree of [1, 2] as const) {
        const testCase = buildCase(
          shape,
          { normalizer: polynomialNormalized({ degree }), mask: causal() },
          {},
          320,
        );
        await check(`decode fastmax p=${degree} Nk=${keys}`, testCase, true, TOLERANCE);
      }
      const lssa = buildCase(
        shape,
        { normalizer: softplusNormalized({ lengthScale: 'log', reweight: {} }), mask: causal() },
        {},
        321,
      );
      await check(`decode LSSAR Nk=${keys}`, lssa, false, REWEIGHT_TOLERANCE);
    }
  });

  const perHead = [-0.2, 0.05, 0.35, 9];
  it('decode: Top-θ without V-mean compensation uses the split-keys kernel, with it stays tiled', async () => {
    for (const [queries, keys] of [
      [1, 70],
      [2, 131],
    ] as const) {
      for (const compensation of ['none', 'denominator', 'valueMean'] as const) {
        for (const rows of [false, true]) {
          const testCase = topThetaCase(queries, keys, compensation, rows, true, perHead);
          await check(
            `decode top-θ ${compensation}${rows ? ' rows' : ''} Nq=${queries} Nk=${keys}`,
            testCase,
            compensation !== 'valueMean',
            TOLERANCE,
          );
        }
      }
    }
  });

  for (const compensation of ['none', 'denominator', 'valueMean'] as const) {
    for (const rows of [false, true]) {
      it(`Top-θ ${compensation}, θ per head${rows ? ' and row' : ''}, causal and not`, async () => {
        for (const masked of [false, true]) {
          for (const [queries, keys] of LENGTHS) {
            const testCase = topThetaCase(queries, keys, compensation, rows, masked, perHead);
            await check(
              `top-θ ${compensation}${rows ? ' rows' : ''}${masked ? ' causal' : ''} Nq=${queries} Nk=${keys}`,
              testCase,
              false,
              TOLERANCE,
            );
          }
        }
      });
    }
  }
});

/**
 * A Top-θ case. Each θ is moved from its target to the middle of the widest gap between the
 * scores of its head (and row) within ±0.05, so that f32 scores keep exactly the keys the
 * float64 reference keeps; the margin left is asserted.
 */
function topThetaCase(
  queries: number,
  keys: number,
  compensation: ThresholdCompensation,
  rows: boolean,
  masked: boolean,
  perHead: readonly number[],
): AttentionCase {
  const shape = shapeOf(queries, keys);
  const threshold = tensorRef('theta', rows ? [4, queries] : [4]);
  const tensor: Tensor64 = {
    shape: rows ? [4, queries] : [4],
    dtype: 'f32',
    data: new Float64Array(rows ? 4 * queries : 4),
  };
  const testCase = buildCase(
    shape,
    { normalizer: topTheta({ threshold, compensation }), ...(masked ? { mask: causal() } : {}) },
    { theta: { tensor } },
    330 + queries,
  );
  const scores = scoreGroups(testCase, rows);
  scores.forEach((group, index) => {
    const h = rows ? Math.floor(index / queries) : index;
    const target = perHead[h]! + (rows ? 0.04 * ((index % queries) % 5) - 0.08 : 0);
    tensor.data[index] = Math.fround(gapMiddle(group, target));
  });
  const margin = Math.min(
    ...scores.map((group, index) => Math.min(...group.map((s) => Math.abs(s - tensor.data[index]!)))),
  );
  expect(margin, 'θ margin').toBeGreaterThan(1e-5);
  return testCase;
}

/** Scores 1/√d · q·k of every pair, grouped by head (and query row when `rows`). */
function scoreGroups(testCase: AttentionCase, rows: boolean): number[][] {
  const { batch, heads, kvHeads, queries, keys, headDim } = testCase.shape;
  const q = testCase.inputs.q!.data;
  const k = testCase.inputs.k!.data;
  const groups = Array.from({ length: rows ? heads * queries : heads }, () => [] as number[]);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < queries; i++) {
        const kvHead = Math.floor(h / (heads / kvHeads));
        for (let j = 0; j < keys; j++) {
          let dot = 0;
          for (let d = 0; d < headDim; d++)
            dot +=
              q[((b * heads + h) * queries + i) * headDim + d]! *
              k[((b * kvHeads + kvHead) * keys + j) * headDim + d]!;
          groups[rows ? h * queries + i : h]!.push(dot / Math.sqrt(headDim));
        }
      }
  return groups;
}

/** The middle of the widest gap between sorted `values` (and ±0.05 around `target`) near `target`. */
function gapMiddle(values: readonly number[], target: number): number {
  const near = [target - 0.05, target + 0.05, ...values.filter((v) => Math.abs(v - target) < 0.05)].sort(
    (a, b) => a - b,
  );
  let best = target;
  let widest = -1;
  for (let n = 1; n < near.length; n++) {
    if (near[n]! - near[n - 1]! > widest) {
      widest = near[n]! - near[n - 1]!;
      best = (near[n]! + near[n - 1]!) / 2;
    }
  }
  return best;
}
