import { expectClose } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  buildCase,
  type CaseShape,
  decomposedOf,
  expectReferenceAgrees,
  intTensor,
  referenceOf,
  tensorRef,
} from '../test/attention-case.js';
import { naiveAttention } from '../test/naive-attention.js';
import {
  alibi,
  and,
  causal,
  documentMask,
  identity,
  keyPadding,
  type Mask,
  type Normalizer,
  nap,
  reluSquared,
  rope,
  type ScoreMod,
  scoreMod,
  sigmoid,
  slidingWindow,
  softcap,
  softmax,
} from './index.js';

const HEADS = { mha: [4, 4], gqa: [4, 2], mqa: [4, 1] } as const;
const LENGTHS = [
  [1, 1],
  [7, 7],
  [13, 13],
  [5, 11],
] as const;

interface MaskCase {
  readonly mask?: Mask;
  readonly keep?: (b: number, h: number, i: number, j: number, shape: CaseShape) => boolean;
  readonly extra?: (shape: CaseShape) => Record<string, { tensor: ReturnType<typeof intTensor> }>;
}

const segments = tensorRef('segments', [2, 13], 'i32');
const lengths = tensorRef('lengths', [2], 'i32');
const MASKS: Record<string, MaskCase> = {
  none: {},
  causal: { mask: causal(), keep: (_b, _h, i, j, s) => j <= i + s.keys - s.queries },
  sliding: {
    mask: and(causal(), slidingWindow(3)),
    keep: (_b, _h, i, j, s) => j <= i + s.keys - s.queries && i + s.keys - s.queries - j < 3,
  },
  padding: {
    mask: keyPadding(lengths),
    keep: (b, _h, _i, j, s) => j < [s.keys, Math.ceil(s.keys / 2)][b]!,
    extra: (s) => ({ lengths: { tensor: intTensor([2], [s.keys, Math.ceil(s.keys / 2)]) } }),
  },
  document: {
    mask: documentMask(segments, { sorted: true }),
    keep: (b, _h, i, j) => documentIds(b, i) === documentIds(b, j),
    extra: (s) => ({
      segments: {
        tensor: intTensor(
          [2, s.keys],
          Array.from({ length: 2 * s.keys }, (_, n) => documentIds(Math.floor(n / s.keys), n % s.keys)),
        ),
      },
    }),
  },
};

function documentIds(b: number, position: number): number {
  return Math.floor((position + b) / 4);
}

const slopes = tensorRef('headBias', [4]);
const SCORES: Record<
  string,
  {
    score?: ScoreMod[];
    positions?: ReturnType<typeof alibi>;
    softcap?: number;
    bias?: (b: number, h: number, i: number, j: number, s: CaseShape) => number;
  }
> = {
  plain: {},
  softcap: { score: [softcap(0.5)], softcap: 0.5 },
  alibi: {
    positions: alibi(),
    bias: (_b, h, i, j, s) => -(2 ** ((-8 * (h + 1)) / 4)) * Math.abs(i + s.keys - s.queries - j),
  },
  custom: {
    score: [scoreMod((score, { h, q, k }) => score.add(slopes.at(h).mul(q.sub(k).cast('f32'))))],
    bias: (_b, h, i, j) => [0.3, -0.2, 0.1, 0.5][h]! * (i - j),
  },
};

const NORMALIZERS: Record<
  string,
  {
    normalizer: Normalizer;
    naive:
      | 'softmax'
      | 'sigmoid'
      | 'reluSquared'
      | { nap: { gain: number[]; bias: number[]; epsilon: number } }
      | { identity: { norm: 'rms' | 'layer'; epsilon: number } };
    sigmoidBias?: number;
  }
> = {
  softmax: { normalizer: softmax(), naive: 'softmax' },
  sigmoid: { normalizer: sigmoid({ bias: -1.5 }), naive: 'sigmoid', sigmoidBias: -1.5 },
  reluSquared: { normalizer: reluSquared(), naive: 'reluSquared' },
  nap: {
    normalizer: nap({ gain: 1.5, bias: 0.1 }),
    naive: { nap: { gain: [1.5, 1.5, 1.5, 1.5], bias: [0.1, 0.1, 0.1, 0.1], epsilon: 1e-3 } },
  },
  identityRms: {
    normalizer: identity({ outputNorm: 'rms', epsilon: 1e-5 }),
    naive: { identity: { norm: 'rms', epsilon: 1e-5 } },
  },
  identityLayer: {
    normalizer: identity({ outputNorm: 'layer', epsilon: 1e-3 }),
    naive: { identity: { norm: 'layer', epsilon: 1e-3 } },
  },
};

describe('attention reference (float64) against a hand-written attention and the decomposition', () => {
  let seed = 10;
  for (const [headsName, [heads, kvHeads]] of Object.entries(HEADS)) {
    for (const [maskName, maskCase] of Object.entries(MASKS)) {
      for (const [scoreName, scoreCase] of Object.entries(SCORES)) {
        for (const [normalizerName, normalizerCase] of Object.entries(NORMALIZERS)) {
          const caseSeed = seed++;
          it(`${headsName} × ${maskName} × ${scoreName} × ${normalizerName}`, () => {
            for (const [queries, keys] of LENGTHS) {
              if (maskName === 'document' && queries !== keys) continue;
              const shape: CaseShape = { batch: 2, heads, kvHeads, queries, keys, headDim: 8, valueDim: 6 };
              const extra = {
                ...(maskCase.extra?.(shape) ?? {}),
                ...(scoreName === 'custom'
                  ? {
                      headBias: {
                        tensor: {
                          shape: [4],
                          dtype: 'f32' as const,
                          data: Float64Array.from([0.3, -0.2, 0.1, 0.5]),
                        },
                      },
                    }
                  : {}),
              };
              const testCase = buildCase(
                shape,
                {
                  ...(maskCase.mask === undefined ? {} : { mask: maskCase.mask }),
                  ...(scoreCase.score === undefined ? {} : { score: scoreCase.score }),
                  ...(scoreCase.positions === undefined ? {} : { positions: scoreCase.positions }),
                  normalizer: normalizerCase.normalizer,
                },
                extra,
                caseSeed,
              );
              const naive = naiveAttention({
                ...shape,
                query: testCase.inputs.q!.data,
                key: testCase.inputs.k!.data,
                value: testCase.inputs.v!.data,
                ...(scoreCase.softcap === undefined ? {} : { softcap: scoreCase.softcap }),
                ...(scoreCase.bias === undefined
                  ? {}
                  : {
                      bias: (b: number, h: number, i: number, j: number) =>
                        scoreCase.bias!(b, h, i, j, shape),
                    }),
                ...(maskCase.keep === undefined
                  ? {}
                  : {
                      keep: (b: number, h: number, i: number, j: number) => maskCase.keep!(b, h, i, j, shape),
                    }),
                normalizer: normalizerCase.naive,
                ...(normalizerCase.sigmoidBias === undefined
                  ? {}
                  : { sigmoidBias: normalizerCase.sigmoidBias }),
              });
              const label = `${headsName} ${maskName} ${scoreName} ${normalizerName} Nq=${queries} Nk=${keys}`;
              expectReferenceAgrees(testCase, naive.output, label);
            }
          });
        }
      }
    }
  }

  it('applies RoPE (half layout) like the hand-written rotation, queries at the end of the key sequence', () => {
    const shape: CaseShape = { batch: 1, heads: 2, kvHeads: 2, queries: 3, keys: 9, headDim: 8, valueDim: 4 };
    const testCase = buildCase(shape, { positions: rope({ base: 100 }), mask: causal() }, {}, 3);
    const naive = naiveAttention({
      ...shape,
      query: testCase.inputs.q!.data,
      key: testCase.inputs.k!.data,
      value: testCase.inputs.v!.data,
      ropeBase: 100,
      keep: (_b, _h, i, j) => j <= i + 6,
    });
    expectClose(referenceOf(testCase).output!, naive.output, { rtol: 1e-10, atol: 1e-12 });
    expectClose(decomposedOf(testCase).output!, naive.output, { rtol: 1e-9, atol: 1e-12 });
  });

  it('returns the row log-sum-exp, with the softmax sink counted once', () => {
    const shape: CaseShape = { batch: 1, heads: 2, kvHeads: 1, queries: 4, keys: 6, headDim: 4, valueDim: 4 };
    const testCase = buildCase(shape, {
      mask: causal({ align: 'top-left' }),
      outputs: { logSumExp: true },
      normalizer: softmax({ sink: 0.25 }),
    });
    const naive = naiveAttention({
      ...shape,
      query: testCase.inputs.q!.data,
      key: testCase.inputs.k!.data,
      value: testCase.inputs.v!.data,
      keep: (_b, _h, i, j) => j <= i,
      sink: 0.25,
    });
    const reference = referenceOf(testCase);
    expectClose(reference.output!, naive.output, { rtol: 1e-10, atol: 1e-12 });
    expectClose(reference.logSumExp!, naive.logSumExp, { rtol: 1e-12, atol: 1e-12 });
    expectClose(decomposedOf(testCase).logSumExp!, naive.logSumExp, { rtol: 1e-9, atol: 1e-12 });
    expect(naive.logSumExp.every(Number.isFinite)).toBe(true);
  });

  it('returns the row max of the kept scores (−∞ on fully masked rows) for any normalizer', () => {
    const shape: CaseShape = { batch: 2, heads: 4, kvHeads: 2, queries: 5, keys: 9, headDim: 8, valueDim: 4 };
    const testCase = buildCase(
      shape,
      { mask: keyPadding(lengths), outputs: { rowMax: true }, normalizer: sigmoid() },
      { lengths: { tensor: intTensor([2], [9, 0]) } },
      4,
    );
    const naive = naiveAttention({
      ...shape,
      query: testCase.inputs.q!.data,
      key: testCase.inputs.k!.data,
      value: testCase.inputs.v!.data,
      keep: (b, _h, _i, j) => j < [9, 0][b]!,
    });
    const reference = referenceOf(testCase).rowMax!;
    expectClose(reference, naive.rowMax, { rtol: 1e-12, atol: 1e-12 });
    expectClose(decomposedOf(testCase).rowMax!, naive.rowMax, { rtol: 1e-12, atol: 1e-12 });
    expect(Array.from(reference.data.slice(20)).every((x) => x === -Infinity)).toBe(true);
  });

  it('identity with an output norm: fully masked rows give 0 (also with ε = 0), normalized rows are unit-RMS', () => {
    const shape: CaseShape = { batch: 2, heads: 4, kvHeads: 2, queries: 5, keys: 9, headDim: 8, valueDim: 6 };
    for (const [outputNorm, epsilon] of [
      ['rms', 0],
      ['layer', 0],
      ['rms', 1e-5],
    ] as const) {
      const testCase = buildCase(
        shape,
        { mask: keyPadding(lengths), normalizer: identity({ outputNorm, epsilon }) },
        { lengths: { tensor: intTensor([2], [9, 0]) } },
        6,
      );
      const naive = naiveAttention({
        ...shape,
        query: testCase.inputs.q!.data,
        key: testCase.inputs.k!.data,
        value: testCase.inputs.v!.data,
        keep: (b, _h, _i, j) => j < [9, 0][b]!,
        normalizer: { identity: { norm: outputNorm, epsilon } },
      });
      const reference = referenceOf(testCase).output!;
      const decomposed = decomposedOf(testCase).output!;
      const label = `identity ${outputNorm} ε=${epsilon}`;
      expectClose(reference, naive.output, { rtol: 1e-10, atol: 1e-12, label });
      expectClose(decomposed, reference, { rtol: 1e-9, atol: 1e-12, label: `${label} (decomposed)` });
      const half = reference.data.length / 2;
      expect(Array.from(reference.data.slice(half)).every((x) => x === 0)).toBe(true);
      expect(Array.from(decomposed.data.slice(half)).every((x) => x === 0)).toBe(true);
      if (epsilon === 0 && outputNorm === 'rms') {
        // Every kept row has mean square 1 over the value dim.
        for (let row = 0; row < half / 6; row++) {
          const squares = reference.data.slice(row * 6, row * 6 + 6).reduce((a, x) => a + x * x, 0);
          expect(squares / 6).toBeCloseTo(1, 12);
        }
      }
    }
  });

  it('identity rejects an unknown output norm and a negative ε', () => {
    expect(() => identity({ outputNorm: 'batch' as 'rms' })).toThrow(/identity: unknown outputNorm/);
    expect(() => identity({ epsilon: -1 })).toThrow(/identity: epsilon/);
  });

  it('NAP with learned per-head gain and offset, negative weights and a 1e4 score offset', () => {
    const shape: CaseShape = {
      batch: 1,
      heads: 4,
      kvHeads: 4,
      queries: 6,
      keys: 10,
      headDim: 8,
      valueDim: 4,
    };
    const gain = tensorRef('napGain', [4]);
    const offset = tensorRef('napBias', [4]);
    const gains = [1, -0.5, 2, 0.75];
    const biases = [0, 0.2, -0.1, 0.05];
    const f32 = (values: number[]) => ({
      tensor: { shape: [4], dtype: 'f32' as const, data: Float64Array.from(values) },
    });
    for (const shift of [0, 1e4]) {
      const testCase = buildCase(
        shape,
        {
          mask: causal(),
          score: [scoreMod((score) => score.add(shift))],
          normalizer: nap({ gain, bias: offset, epsilon: 1e-3 }),
        },
        { napGain: f32(gains), napBias: f32(biases) },
        17,
      );
      const naive = naiveAttention({
        ...shape,
        query: testCase.inputs.q!.data,
        key: testCase.inputs.k!.data,
        value: testCase.inputs.v!.data,
        scale: 1 / Math.sqrt(8),
        bias: () => shift,
        keep: (_b, _h, i, j) => j <= i + 4,
        normalizer: { nap: { gain: gains, bias: biases, epsilon: 1e-3 } },
      });
      const reference = referenceOf(testCase).output!;
      expectClose(reference, naive.output, { rtol: 1e-7, atol: 1e-9, label: `nap shift ${shift}` });
      expectClose(decomposedOf(testCase).output!, reference, { rtol: 1e-7, atol: 1e-9 });
    }
  });
});
