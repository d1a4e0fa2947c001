import { decomposeExtensionOps, interpret } from '@weft/ir';
import { expectClose, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { type CaseShape, decomposedOf, referenceOf } from '../test/attention-case.js';
import { denseKvHeadOutput, kvHeadCase } from '../test/kv-head-case.js';
import { denseProbabilisticGqa, probabilisticGqaInstance } from '../test/probabilistic-gqa-instance.js';

/** [query heads, key heads, value heads]: the per-key tensors are indexed by the key and value head. */
const LAYOUTS: [number, number, number][] = [
  [4, 2, 4],
  [6, 3, 2],
  [8, 1, 2],
  [4, 4, 4],
];
const LENGTHS = [
  [1, 1],
  [7, 7],
  [5, 11],
] as const;

describe('kvHead / valueHead variables: reference and decomposition vs a hand-written GQA attention', () => {
  let seed = 900;
  for (const [heads, kvHeads, valueHeads] of LAYOUTS) {
    const caseSeed = seed++;
    it(`H=${heads} Hk=${kvHeads} Hv=${valueHeads}: bias [B, Hk, Nk] and [B, Hv, Nk], gate mask [B, Hk, Nk]`, () => {
      for (const [queries, keys] of LENGTHS) {
        const shape: CaseShape = {
          batch: 2,
          heads,
          kvHeads,
          valueHeads,
          queries,
          keys,
          headDim: 6,
          valueDim: 5,
        };
        const testCase = kvHeadCase(shape, caseSeed);
        const label = `H=${heads} Hk=${kvHeads} Hv=${valueHeads} Nq=${queries} Nk=${keys}`;
        const dense = denseKvHeadOutput(testCase);
        const reference = referenceOf(testCase).output!;
        // All float64; only the summation order differs.
        expectClose(reference.data, dense, { rtol: 1e-10, atol: 1e-12, label });
        expectClose(decomposedOf(testCase).output!.data, dense, {
          rtol: 1e-9,
          atol: 1e-12,
          label: `${label} (decomposed)`,
        });
      }
    });
  }

  it('a wrong key-head mapping of the per-key tensors is caught (round-robin h mod Hk)', () => {
    const shape: CaseShape = { batch: 1, heads: 4, kvHeads: 2, queries: 5, keys: 7, headDim: 4, valueDim: 3 };
    const testCase = kvHeadCase(shape, 42);
    const reference = referenceOf(testCase).output!.data;
    const roundRobin = denseKvHeadOutput(testCase, (h) => h % 2);
    const worst = Math.max(...reference.map((value, i) => Math.abs(value - roundRobin[i]!)));
    expect(worst).toBeGreaterThan(1e-3);
  });
});

describe('probabilistic attention (catalog #76) under GQA: per-key tensors [B, Hk, Nk]', () => {
  for (const [heads, kvHeads] of [
    [4, 2],
    [6, 1],
  ] as const) {
    it(`H=${heads} Hk=${kvHeads}: reference and decomposition vs the dense E-step`, () => {
      const sizes = { batch: 2, heads, kvHeads, queries: 9, keys: 13, headDim: 8 };
      const instance = probabilisticGqaInstance(sizes, 60 + heads);
      const dense = denseProbabilisticGqa(sizes, instance.inputs);
      const options = { inputs: instance.inputs, dims: {} };
      const reference = interpret(instance.graph, options).output!.data;
      const decomposed = interpret(decomposeExtensionOps(instance.graph), options).output!.data;
      // Float64: the expanded α q·ζ − ½α‖ζ‖² − ½α‖q‖² vs −½α‖q − ζ‖² differs by rounding only.
      expect(relativeError(reference, dense)).toBeLessThan(1e-12);
      expect(relativeError(decomposed, dense)).toBeLessThan(1e-12);
    });
  }
});
