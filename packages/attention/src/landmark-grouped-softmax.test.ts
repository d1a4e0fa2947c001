import { SpecError, type Tensor64 } from '@weft/ir';
import { expectClose } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  buildCase,
  type CaseShape,
  decomposedOf,
  intTensor,
  referenceOf,
  tensorRef,
} from '../test/attention-case.js';
import { attention, causal, groupedSoftmax, keyPadding, type Mask, slidingWindow, softmax } from './index.js';

/** Dense weights of one row: `scores` has one entry per key, −∞ where the mask hides it. */
type DenseRow = (scores: readonly number[], position: number, blockSize: number) => number[];

/**
 * The bucket formulation of epfml/landmark-attention (`landmark_grouped_softmax`), written from its
 * description: a causal attention mask, landmark flags, the current section as the block of the
 * last visible key, one softmax per bucket (the top-level bucket holds the landmarks and the
 * current section) with the "denominator < 0.5 → 0" guard, then the gating by the landmark's
 * probability. Only meaningful when the mask keeps the query's own key.
 */
const referenceBuckets: DenseRow = (scores, position, blockSize) => {
  const period = blockSize + 1;
  const hidden = scores.map((s, j) => j > position || s === -Infinity);
  const landmarkFlag = scores.map((_, j) => (j + 1) % period === 0);
  let count = 0;
  const memoryIds = scores.map((_, j) => {
    const id = hidden[j] ? 0 : count;
    if (landmarkFlag[j]) count++;
    return id;
  });
  const last = Math.max(...memoryIds);
  const currentLandmark = landmarkFlag.map((flag, j) => flag && memoryIds[j] === last && !hidden[j]);
  const mask = hidden.map((h, j) => h || currentLandmark[j]!);
  const lastSection = memoryIds.map((id, j) => id === last && !mask[j]);
  const isLandmark = landmarkFlag.map((flag, j) => flag && !mask[j]);
  const TOP = -1;
  let cumulative = 0;
  const groupIndex = isLandmark.map((flag) => (flag ? ++cumulative : cumulative));
  const bucket = scores.map((_, j) => (lastSection[j] || mask[j] || isLandmark[j] ? TOP : groupIndex[j]!));
  const x = scores.map((s, j) => (mask[j] ? -Infinity : s));
  const maxOf = new Map<number, number>();
  x.forEach((s, j) => {
    maxOf.set(bucket[j]!, Math.max(maxOf.get(bucket[j]!) ?? -Infinity, s));
  });
  const exps = x.map((s, j) => {
    const m = maxOf.get(bucket[j]!)!;
    return Math.exp(s - (m === -Infinity ? 0 : m));
  });
  const sumOf = new Map<number, number>();
  exps.forEach((e, j) => {
    sumOf.set(bucket[j]!, (sumOf.get(bucket[j]!) ?? 0) + e);
  });
  const probabilities = exps.map((e, j) => (sumOf.get(bucket[j]!)! < 0.5 ? 0 : e / sumOf.get(bucket[j]!)!));
  const groupProbability = new Map<number, number>();
  isLandmark.forEach((flag, j) => {
    if (flag) groupProbability.set(groupIndex[j]! - 1, probabilities[j]!);
  });
  return probabilities.map((p, j) => {
    if (isLandmark[j] || lastSection[j] || mask[j]) return lastSection[j] ? p : 0;
    return p * (groupProbability.get(bucket[j]!) ?? 0);
  });
};

/** The paper's formula read directly: T_i, the top-level softmax, the gated per-block softmaxes. */
const paperFormula: DenseRow = (scores, position, blockSize) => {
  const period = blockSize + 1;
  const block = (j: number) => Math.floor(j / period);
  const isLandmark = (j: number) => (j + 1) % period === 0;
  const current = block(position);
  const visible = (j: number) => j <= position && scores[j] !== -Infinity;
  const inTop = (j: number) => visible(j) && (isLandmark(j) ? block(j) < current : block(j) === current);
  const top = scores.flatMap((s, j) => (inTop(j) ? [s] : []));
  if (top.length === 0) return scores.map(() => 0);
  const denominator = top.reduce((sum, s) => sum + Math.exp(s), 0);
  return scores.map((s, j) => {
    if (!visible(j) || isLandmark(j)) return 0;
    if (block(j) === current) return Math.exp(s) / denominator;
    const landmark = (block(j) + 1) * period - 1;
    const gate = inTop(landmark) ? Math.exp(scores[landmark]!) / denominator : 0;
    let groupSum = 0;
    for (let k = block(j) * period; k < landmark; k++) if (visible(k)) groupSum += Math.exp(scores[k]!);
    return (gate * Math.exp(s)) / groupSum;
  });
};

const lengths = tensorRef('lengths', [2], 'i32');

interface MaskCase {
  readonly mask?: Mask;
  readonly keep?: (b: number, i: number, j: number, shape: CaseShape) => boolean;
  readonly extra?: (shape: CaseShape) => Record<string, { tensor: Tensor64 }>;
  /** The reference's bucket form agrees only when the query's own key stays visible. */
  readonly bucketForm: boolean;
}

const MASKS: Record<string, MaskCase> = {
  none: { bucketForm: true },
  causal: { mask: causal(), keep: (_b, i, j, s) => j <= i + s.keys - s.queries, bucketForm: true },
  'sliding window 4': {
    mask: slidingWindow(4),
    keep: (_b, i, j, s) => j <= i + s.keys - s.queries && j > i + s.keys - s.queries - 4,
    bucketForm: false,
  },
  padding: {
    mask: keyPadding(lengths),
    keep: (b, _i, j, s) => j < [s.keys, Math.ceil(s.keys / 2)][b]!,
    extra: (s) => ({ lengths: { tensor: intTensor([2], [s.keys, Math.ceil(s.keys / 2)]) } }),
    bucketForm: false,
  },
};

/** [queries, keys]: length 1, primes, fewer queries than keys (decode alignment). */
const LENGTHS = [
  [1, 1],
  [7, 7],
  [13, 13],
  [5, 11],
  [23, 23],
] as const;

/** Block sizes: 1, sizes that do not divide the lengths, and one longer than every length. */
const BLOCK_SIZES = [1, 2, 3, 5, 50];

function denseAttention(
  shape: CaseShape,
  inputs: Record<string, Tensor64>,
  keep: ((b: number, i: number, j: number) => boolean) | undefined,
  blockSize: number,
  row: DenseRow,
): Float64Array {
  const { batch, heads, kvHeads, queries, keys, headDim, valueDim } = shape;
  const [query, key, value] = [inputs.q!.data, inputs.k!.data, inputs.v!.data];
  const output = new Float64Array(batch * heads * queries * valueDim);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++) {
      const kvHead = Math.floor((h * kvHeads) / heads);
      for (let i = 0; i < queries; i++) {
        const scores = Array.from({ length: keys }, (_, j) => {
          if (keep !== undefined && !keep(b, i, j)) return -Infinity;
          let dot = 0;
          for (let d = 0; d < headDim; d++)
            dot +=
              query[((b * heads + h) * queries + i) * headDim + d]! *
              key[((b * kvHeads + kvHead) * keys + j) * headDim + d]!;
          return dot / Math.sqrt(headDim);
        });
        const weights = row(scores, i + keys - queries, blockSize);
        weights.forEach((w, j) => {
          for (let d = 0; d < valueDim; d++)
            output[((b * heads + h) * queries + i) * valueDim + d]! +=
              w * value[((b * kvHeads + kvHead) * keys + j) * valueDim + d]!;
        });
      }
    }
  return output;
}

describe('Landmark grouped softmax (catalog #66): reference and decomposition vs dense float64', () => {
  let seed = 660;
  for (const blockSize of BLOCK_SIZES) {
    it(`block size ${blockSize}`, () => {
      for (const [maskName, maskCase] of Object.entries(MASKS)) {
        for (const [queries, keys] of LENGTHS) {
          const shape: CaseShape = { batch: 2, heads: 4, kvHeads: 2, queries, keys, headDim: 8, valueDim: 6 };
          const testCase = buildCase(
            shape,
            {
              ...(maskCase.mask === undefined ? {} : { mask: maskCase.mask }),
              normalizer: groupedSoftmax({ blockSize }),
            },
            maskCase.extra?.(shape) ?? {},
            seed++,
          );
          const keep =
            maskCase.keep === undefined
              ? undefined
              : (b: number, i: number, j: number) => maskCase.keep!(b, i, j, shape);
          const reference = referenceOf(testCase).output!;
          const where = `ℓ=${blockSize} ${maskName} Nq=${queries} Nk=${keys}`;
          const paper = denseAttention(shape, testCase.inputs, keep, blockSize, paperFormula);
          // All float64; only the summation order differs.
          expectClose(reference, paper, { rtol: 1e-10, atol: 1e-12, label: `${where} (paper formula)` });
          if (maskCase.bucketForm) {
            const buckets = denseAttention(shape, testCase.inputs, keep, blockSize, referenceBuckets);
            expectClose(reference, buckets, { rtol: 1e-10, atol: 1e-12, label: `${where} (bucket form)` });
          }
          expectClose(decomposedOf(testCase).output!, reference, {
            rtol: 1e-9,
            atol: 1e-12,
            label: `${where} (decomposed)`,
          });
          expect(
            reference.data.some((x) => x !== 0),
            `${where}: not all zero`,
          ).toBe(true);
        }
      }
    });
  }

  it('a block longer than the keys is plain causal softmax', () => {
    const shape: CaseShape = { batch: 1, heads: 2, kvHeads: 2, queries: 9, keys: 9, headDim: 8, valueDim: 4 };
    const grouped = referenceOf(buildCase(shape, { normalizer: groupedSoftmax({ blockSize: 9 }) }, {}, 5))
      .output!;
    const plain = referenceOf(buildCase(shape, { mask: causal(), normalizer: softmax() }, {}, 5)).output!;
    expectClose(grouped, plain, { rtol: 1e-12, atol: 1e-14 });
  });

  it('landmark values are never mixed in', () => {
    const shape: CaseShape = {
      batch: 1,
      heads: 2,
      kvHeads: 2,
      queries: 17,
      keys: 17,
      headDim: 8,
      valueDim: 4,
    };
    const testCase = buildCase(shape, { normalizer: groupedSoftmax({ blockSize: 3 }) }, {}, 6);
    const before = referenceOf(testCase).output!;
    const value = testCase.inputs.v!;
    for (let head = 0; head < 2; head++)
      for (let k = 3; k < 17; k += 4) for (let d = 0; d < 4; d++) value.data[(head * 17 + k) * 4 + d]! += 100;
    expectClose(referenceOf(testCase).output!, before, { rtol: 1e-12, atol: 1e-14 });
    // Other value rows do matter.
    value.data[0]! += 1;
    expect(Math.abs(referenceOf(testCase).output!.data[0]! - before.data[0]!)).toBeGreaterThan(1e-3);
  });

  it('rejects a block size that is not an integer >= 1, naming the block', () => {
    for (const blockSize of [0, -2, 2.5, Number.NaN])
      expect(() => groupedSoftmax({ blockSize })).toThrow(SpecError);
    expect(() => groupedSoftmax({ blockSize: 0 })).toThrow(/blockSize must be an integer >= 1/);
    expect(() => groupedSoftmax({ blockSize: 2 ** 31 })).toThrow(SpecError);
    // A hand-made normalizer object never reaches the attrs: attention() refuses it, naming the block.
    expect(() =>
      attention({
        name: 'layer3.attention',
        heads: 2,
        headDim: 8,
        normalizer: { kind: 'normalizer', name: 'groupedSoftmax', blockSize: 1.5 } as never,
      }),
    ).toThrow(/attention "layer3.attention": normalizer must come from a normalizer factory/);
  });
});
