import { input, ShapeError, SpecError, type Tensor64, WeftError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { buildCase, type CaseShape, decomposedOf, referenceOf, tensorRef } from '../test/attention-case.js';
import { densePLaplacian, pLaplacianCase } from '../test/p-laplacian-case.js';
import { applyAttention, attention, causal, pLaplacian } from './index.js';

/** Evaluator and decomposition (both float64) vs the hand-written dense float64 p-Laplacian. */
const TOLERANCE = 1e-12;

const shapeOf = (queries: number, keys: number): CaseShape => ({
  batch: 2,
  heads: 4,
  kvHeads: 2,
  queries,
  keys,
  headDim: 6,
  valueDim: 5,
});

/** Lengths 1 and primes; [queries, keys]. */
const LENGTHS: [number, number][] = [
  [1, 1],
  [13, 13],
  [7, 29],
];

const causalKeep = (queries: number, keys: number) => (_b: number, _h: number, i: number, j: number) =>
  j <= i + keys - queries;

describe('pLaplacian: float64 evaluator and decomposition', () => {
  for (const p of [1.5, 2, 3]) {
    for (const masked of [false, true]) {
      it(`p = ${p}${masked ? ', causal' : ''} matches the dense reference`, () => {
        for (const [queries, keys] of LENGTHS) {
          const testCase = pLaplacianCase(
            shapeOf(queries, keys),
            { p, mu: 0.7, ...(masked ? { mask: causal() } : {}) },
            40 + queries + keys,
          );
          const expected = densePLaplacian(testCase, {
            p: () => p,
            mu: () => 0.7,
            epsilon: 1e-6,
            anchorScale: 2,
            ...(masked ? { keep: causalKeep(queries, keys) } : {}),
          });
          const label = `p=${p} Nq=${queries} Nk=${keys}`;
          expect(
            relativeError(referenceOf(testCase).output!.data, expected),
            `${label} evaluator`,
          ).toBeLessThan(TOLERANCE);
          expect(
            relativeError(decomposedOf(testCase).output!.data, expected),
            `${label} decomposed`,
          ).toBeLessThan(TOLERANCE);
        }
      });
    }
  }

  it('per-head p and μ tensors, ε = 0.1 and anchorScale 4 (pGNN code) match the dense reference', () => {
    const ps = [1.2, 1.9, 2.5, 4];
    const mus = [0, 0.3, 1, 2.5];
    const parameter = (values: number[]): Tensor64 => ({
      shape: [4],
      dtype: 'f32',
      data: Float64Array.from(values),
    });
    for (const [queries, keys] of LENGTHS) {
      const testCase = pLaplacianCase(
        shapeOf(queries, keys),
        {
          p: tensorRef('p', [4]),
          mu: tensorRef('mu', [4]),
          epsilon: 0.1,
          anchorScale: 4,
          mask: causal(),
          parameters: { p: parameter(ps), mu: parameter(mus) },
        },
        60 + keys,
      );
      const expected = densePLaplacian(testCase, {
        p: (h) => ps[h]!,
        mu: (h) => mus[h]!,
        epsilon: 0.1,
        anchorScale: 4,
        keep: causalKeep(queries, keys),
      });
      expect(relativeError(referenceOf(testCase).output!.data, expected)).toBeLessThan(TOLERANCE);
      expect(relativeError(decomposedOf(testCase).output!.data, expected)).toBeLessThan(TOLERANCE);
    }
  });

  it('p = 2 is softmax attention mixed with the features: (softmax·V + μx)/(1 + μ)', () => {
    const mu = 0.4;
    for (const [queries, keys] of LENGTHS) {
      const seed = 80 + keys;
      const shape = shapeOf(queries, keys);
      const testCase = pLaplacianCase(shape, { p: 2, mu, mask: causal() }, seed);
      const softmaxCase = buildCase(shape, { mask: causal() }, {}, seed);
      const softmaxOutput = referenceOf(softmaxCase).output!.data;
      const x = testCase.inputs.xq!.data;
      const expected = softmaxOutput.map((o, index) => (o + mu * x[index]!) / (1 + mu));
      expect(relativeError(referenceOf(testCase).output!.data, expected)).toBeLessThan(TOLERANCE);
      expect(relativeError(decomposedOf(testCase).output!.data, expected)).toBeLessThan(TOLERANCE);
    }
  });

  it('rows with no kept key give (c/2)·x for μ > 0 and 0 for μ = 0', () => {
    // Causal with more queries than keys: query i sits at position i − 2, rows 0 and 1 keep nothing.
    for (const mu of [0.5, 0]) {
      const testCase = pLaplacianCase(shapeOf(5, 3), { p: 3, mu, mask: causal() }, 90);
      const expected = densePLaplacian(testCase, {
        p: () => 3,
        mu: () => mu,
        epsilon: 1e-6,
        anchorScale: 2,
        keep: causalKeep(5, 3),
      });
      const actual = referenceOf(testCase).output!.data;
      expect(relativeError(actual, expected)).toBeLessThan(TOLERANCE);
      expect(relativeError(decomposedOf(testCase).output!.data, expected)).toBeLessThan(TOLERANCE);
      // Row 0 of batch 0, head 0.
      const x = testCase.inputs.xq!.data;
      for (let d = 0; d < 5; d++) expect(actual[d]).toBeCloseTo(mu > 0 ? x[d]! : 0, 12);
    }
  });
});

describe('pLaplacian: bad input', () => {
  const features = tensorRef('xq', [1, 4, 3, 5]);
  it('rejects bad options at the builder', () => {
    expect(() => pLaplacian({ features: tensorRef('xq', [4, 3, 5]), p: 2, mu: 1 })).toThrow(SpecError);
    expect(() => pLaplacian({ features, p: 0, mu: 1 })).toThrow(/p must be > 0/);
    expect(() => pLaplacian({ features, p: 2, mu: -1 })).toThrow(/mu must be >= 0/);
    expect(() => pLaplacian({ features, p: 2, mu: 1, epsilon: 0 })).toThrow(/epsilon/);
    expect(() => pLaplacian({ features, p: 2, mu: 1, anchorScale: 3 as 2 })).toThrow(/anchorScale/);
    expect(() => pLaplacian({ features, p: tensorRef('p', [4, 1]), mu: 1 })).toThrow(/\[heads\] tensor/);
  });

  it('names the block, tensor and dimension of a features tensor of the wrong shape', () => {
    const query = input('q', [1, 4, 3, 6]);
    const key = input('k', [1, 2, 3, 6]);
    const value = input('v', [1, 2, 3, 5]);
    const spec = (ref: typeof features) =>
      attention({
        name: 'layer0.attn',
        heads: 4,
        kvHeads: 2,
        headDim: 6,
        valueDim: 5,
        normalizer: pLaplacian({ features: ref, p: 1.5, mu: 1 }),
      });
    const heads = captureError(() =>
      applyAttention(spec(tensorRef('xq', [1, 2, 3, 5])), {
        query,
        key,
        value,
        tensors: { xq: input('xq', [1, 2, 3, 5]) },
      }),
    );
    expect(heads).toBeInstanceOf(SpecError);
    expect(heads.context).toMatchObject({
      block: 'layer0.attn',
      tensor: 'xq',
      dimension: 1,
      expected: 4,
      actual: 2,
    });
    const width = captureError(() =>
      applyAttention(spec(tensorRef('xq', [1, 4, 3, 6])), {
        query,
        key,
        value,
        tensors: { xq: input('xq', [1, 4, 3, 6]) },
      }),
    );
    expect(width.context).toMatchObject({ block: 'layer0.attn', tensor: 'xq', dimension: 3 });
    // The spec's shape is right, the bound node has the wrong query length.
    const call = captureError(() =>
      applyAttention(spec(features), { query, key, value, tensors: { xq: input('xq', [1, 4, 7, 5]) } }),
    );
    expect(call).toBeInstanceOf(ShapeError);
    expect(call.context).toMatchObject({ block: 'layer0.attn', tensor: 'xq', dimension: 2 });
    expect(call.message).toMatch(/layer0\.attn.*xq/);
    const unbound = captureError(() => applyAttention(spec(features), { query, key, value }));
    expect(unbound.context).toMatchObject({ block: 'layer0.attn', tensor: 'xq' });
    expect(() =>
      attention({
        heads: 4,
        headDim: 6,
        valueDim: 5,
        normalizer: pLaplacian({ features, p: 2, mu: 1 }),
        outputs: { logSumExp: true },
      }),
    ).toThrow(/softmax only/);
  });
});

function captureError(run: () => unknown): WeftError {
  try {
    run();
  } catch (error) {
    if (error instanceof WeftError) return error;
    throw error;
  }
  throw new Error('expected a WeftError');
}
