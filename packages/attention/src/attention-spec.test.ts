import { constant, input, makeGraph, runPipeline, symbolicDim, WeftError } from '@weft/ir';
import { DEFAULT_DEVICE_PROFILE } from '@weft/wgsl';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCase,
  type CaseShape,
  decomposedOf,
  intTensor,
  referenceOf,
  tensorRef,
} from '../test/attention-case.js';
import { naiveAttention } from '../test/naive-attention.js';
import {
  and,
  applyAttention,
  attention,
  blockCausal,
  causal,
  chunked,
  customMask,
  decodeAttention,
  entmax,
  fixedSparse,
  identity,
  keyPadding,
  type Mask,
  maskFrom,
  type Normalizer,
  nap,
  not,
  or,
  prefixLM,
  sigmoid,
  slidingWindow,
  softmax,
  sparsemax,
  stridedSparse,
} from './index.js';
import { chooseAttentionStrategy } from './kernels.js';

function errorOf(run: () => unknown): WeftError {
  try {
    run();
  } catch (error) {
    if (WeftError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a WeftError');
}

describe('attention spec errors name the block', () => {
  it('kvHeads not dividing heads', () => {
    const error = errorOf(() => attention({ name: 'layers.3.attn', heads: 8, kvHeads: 3, headDim: 16 }));
    expect(error.code).toBe('spec');
    expect(error.message).toContain('layers.3.attn');
    expect(error.message).toContain('kvHeads (3) must divide heads (8)');
  });
  it('an unknown option and an unknown output', () => {
    expect(errorOf(() => attention({ heads: 2, headDim: 4, scale: 2 } as never)).message).toContain(
      'unknown option "scale"',
    );
    expect(
      errorOf(() => attention({ heads: 2, headDim: 4, outputs: { weights: true } as never })).message,
    ).toContain('unknown output "weights"');
    expect(errorOf(() => nap({ epsilon: -1 })).message).toContain('nap: epsilon');
    expect(
      errorOf(() => attention({ heads: 2, headDim: 4, normalizer: sigmoid(), outputs: { logSumExp: true } }))
        .message,
    ).toContain('softmax only');
    expect(errorOf(() => entmax({ alpha: 3 })).message).toContain('alpha must lie in (1, 2]');
  });
  it('head-dim mismatch between Q and K', () => {
    const spec = attention({ name: 'enc.attn', heads: 2, headDim: 8 });
    const error = errorOf(() =>
      applyAttention(spec, {
        query: input('q', [1, 2, 5, 8]),
        key: input('k', [1, 2, 5, 4]),
        value: input('v', [1, 2, 5, 8]),
      }),
    );
    expect(error.code).toBe('shape');
    expect(error.message).toContain('enc.attn');
    expect(error.message).toContain('tensor "key"');
    expect(error.message).toContain('head dim');
  });
  it('a mask reading a tensor of the wrong shape, or an unbound one', () => {
    const lengths = tensorRef('lengths', [2], 'i32');
    const spec = attention({ name: 'dec.attn', heads: 2, headDim: 4, mask: keyPadding(lengths) });
    const inputs = {
      query: input('q', [2, 2, 5, 4]),
      key: input('k', [2, 2, 5, 4]),
      value: input('v', [2, 2, 5, 4]),
    };
    const wrong = errorOf(() =>
      applyAttention(spec, { ...inputs, tensors: { lengths: input('lengths', [3], 'i32') } }),
    );
    expect(wrong.message).toContain('captured tensor "lengths" has the wrong shape');
    expect(wrong.message).toContain('dec.attn');
    expect(errorOf(() => applyAttention(spec, inputs)).message).toContain('"lengths" is not bound');
  });
});

describe('masks classify blocks exactly like their predicate', () => {
  const masks: [string, Mask][] = [
    ['causal', causal()],
    ['causal top-left', causal({ align: 'top-left' })],
    ['sliding', slidingWindow(5)],
    ['prefixLM', prefixLM(6)],
    ['chunked', chunked(4)],
    ['blockCausal', blockCausal(3)],
    ['stridedSparse', stridedSparse(4)],
    ['fixedSparse', fixedSparse(4, 1)],
    ['and/or/not', or(and(causal(), not(slidingWindow(3))), prefixLM(2))],
  ];
  for (const [name, mask] of masks) {
    it(`${name}: empty blocks keep nothing, full blocks keep everything`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 1, max: 8 }),
          (queries, keys, qb, kb) => {
            const exact = customMask(() => mask.predicate);
            for (let i = 0; i * qb < queries; i++) {
              for (let j = 0; j * kb < keys; j++) {
                const analytic = mask.blockSparsity(i, j, { query: qb, key: kb }, { queries, keys });
                const truth = exact.blockSparsity(i, j, { query: qb, key: kb }, { queries, keys });
                // Analytic answers may be conservative (partial) but never wrong.
                if (analytic !== 'partial' && analytic !== truth) return false;
              }
            }
            return true;
          },
        ),
        { numRuns: 40 },
      );
    });
  }
  it('causal answers exactly (no partial where the block is empty or full)', () => {
    const mask = causal();
    expect(mask.blockSparsity(0, 1, { query: 4, key: 4 }, { queries: 8, keys: 8 })).toBe('empty');
    expect(mask.blockSparsity(1, 0, { query: 4, key: 4 }, { queries: 8, keys: 8 })).toBe('full');
    expect(mask.blockSparsity(1, 1, { query: 4, key: 4 }, { queries: 8, keys: 8 })).toBe('partial');
  });
  it('a custom mask over kvHead is classified per key head', () => {
    // Key head 0 sees only even keys (every block partial); key head 1 sees every key (full).
    const mask = customMask(({ k, kvHead }) => kvHead.eq(constant(1, 'i32')).or(k.mod(2).eq(0)));
    const sizes = { query: 4, key: 4 };
    const lengths = { queries: 8, keys: 8 };
    expect(mask.blockSparsity(0, 0, sizes, lengths, { head: 1, kvHead: 0 })).toBe('partial');
    expect(mask.blockSparsity(0, 0, sizes, lengths, { head: 3, kvHead: 1 })).toBe('full');
  });
  it('maskFrom reads a tensor and classifies with it', () => {
    const table = tensorRef('allowed', [3, 3], 'i32');
    const mask = maskFrom(table);
    const values = [1, 0, 0, 1, 1, 0, 1, 1, 1];
    const read = (_: string, index: readonly number[]) => values[index[0]! * 3 + index[1]!]!;
    expect(mask.blockSparsity(0, 0, { query: 3, key: 3 }, { queries: 3, keys: 3 }, { read })).toBe('partial');
    expect(mask.blockSparsity(0, 0, { query: 3, key: 3 }, { queries: 3, keys: 3 })).toBe('partial');
  });
});

describe('random combinations: reference = hand-written attention = decomposition', () => {
  it('heads × masks × normalizers × lengths', () => {
    const maskChoices: [Mask | undefined, (i: number, j: number, s: CaseShape) => boolean][] = [
      [undefined, () => true],
      [causal(), (i, j, s) => j <= i + s.keys - s.queries],
      [slidingWindow(4), (i, j, s) => j <= i + s.keys - s.queries && i + s.keys - s.queries - j < 4],
      [prefixLM(3), (i, j, s) => j < 3 || j <= i + s.keys - s.queries],
      [
        and(causal(), chunked(5)),
        (i, j, s) =>
          j <= i + s.keys - s.queries && Math.floor((i + s.keys - s.queries) / 5) === Math.floor(j / 5),
      ],
    ];
    const normalizers = [
      [softmax(), 'softmax'],
      [sigmoid({ bias: -1 }), 'sigmoid'],
      [sparsemax(), 'sparsemax'],
      [entmax({ alpha: 1.5 }), { entmax: 1.5 }],
      [identity({ outputNorm: 'rms' }), { identity: { norm: 'rms', epsilon: 1e-5 } }],
      [identity({ outputNorm: 'layer', epsilon: 1e-3 }), { identity: { norm: 'layer', epsilon: 1e-3 } }],
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom([2, 2], [4, 2], [3, 1]),
        fc.integer({ min: 0, max: maskChoices.length - 1 }),
        fc.integer({ min: 0, max: normalizers.length - 1 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 1000 }),
        ([heads, kvHeads], maskIndex, normalizerIndex, queries, extraKeys, seed) => {
          const shape: CaseShape = {
            batch: 1,
            heads: heads!,
            kvHeads: kvHeads!,
            queries,
            keys: queries + extraKeys,
            headDim: 4,
            valueDim: 3,
          };
          const [mask, keep] = maskChoices[maskIndex]!;
          const [normalizer, naiveName] = normalizers[normalizerIndex]!;
          const testCase = buildCase(
            shape,
            { ...(mask === undefined ? {} : { mask }), normalizer },
            {},
            seed,
          );
          const reference = referenceOf(testCase).output!;
          const naive = naiveAttention({
            ...shape,
            query: testCase.inputs.q!.data,
            key: testCase.inputs.k!.data,
            value: testCase.inputs.v!.data,
            keep: (_b, _h, i, j) => keep(i, j, shape),
            normalizer: naiveName,
            sigmoidBias: -1,
          });
          const close = (a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number) =>
            Array.from(a).every((x, n) => Math.abs(x - b[n]!) <= tolerance * (1 + Math.abs(b[n]!)));
          return (
            close(reference.data, naive.output, 1e-9) &&
            close(decomposedOf(testCase).output!.data, reference.data, 1e-9)
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('numerics', () => {
  it('fully masked rows give 0 and log-sum-exp −∞ (reference and decomposition)', () => {
    const lengths = tensorRef('lengths', [2], 'i32');
    const shape: CaseShape = { batch: 2, heads: 2, kvHeads: 2, queries: 3, keys: 4, headDim: 4, valueDim: 4 };
    const testCase = buildCase(
      shape,
      { mask: keyPadding(lengths), outputs: { logSumExp: true } },
      { lengths: { tensor: intTensor([2], [4, 0]) } },
    );
    for (const result of [referenceOf(testCase), decomposedOf(testCase)]) {
      expect(Array.from(result.output!.data.slice(24)).every((x) => x === 0)).toBe(true);
      expect(Array.from(result.logSumExp!.data.slice(6)).every((x) => x === -Infinity)).toBe(true);
      expect(Array.from(result.output!.data).some(Number.isNaN)).toBe(false);
    }
  });
  it('sigmoid without its bias grows with the number of keys', () => {
    const norms = [8, 64].map((keys) => {
      const shape: CaseShape = { batch: 1, heads: 1, kvHeads: 1, queries: 1, keys, headDim: 4, valueDim: 1 };
      const testCase = buildCase(shape, { normalizer: sigmoid({ bias: 0 }) }, {}, 3);
      testCase.inputs.v!.data.fill(1);
      return referenceOf(testCase).output!.data[0]!;
    });
    expect(norms[1]! / norms[0]!).toBeGreaterThan(6);
  });
});

describe('memory plan', () => {
  it('N = 4096 attention allocates no N×N buffer and one kernel', () => {
    const seq = symbolicDim('seq', { max: 4096 });
    const spec = attention({ heads: 4, headDim: 32, mask: causal() });
    const { output } = applyAttention(spec, {
      query: input('q', [1, 4, seq, 32]),
      key: input('k', [1, 4, seq, 32]),
      value: input('v', [1, 4, seq, 32]),
    });
    const { plan, memory } = runPipeline(makeGraph({ output }));
    expect(plan.kernels.length).toBe(1);
    const largest = Math.max(...[...memory.slots.values()].map((slot) => slot.bytes));
    expect(largest).toBe(4 * 4096 * 32 * 4);
    expect(memory.arenaBytes).toBeLessThan(4096 * 4096 * 4);
  });
  it('decoding (Nq = 1, Nk = 4096, GQA) plans no Nq×Nk or Nk×Nk buffer: K, V and O only', () => {
    const cache = symbolicDim('cache', { max: 4096 });
    const spec = attention({
      heads: 8,
      kvHeads: 2,
      headDim: 32,
      mask: causal(),
      outputs: { logSumExp: true },
    });
    const { output, logSumExp } = applyAttention(spec, {
      query: input('q', [1, 8, 1, 32]),
      key: input('k', [1, 2, cache, 32]),
      value: input('v', [1, 2, cache, 32]),
    });
    const { plan, memory } = runPipeline(makeGraph({ output, logSumExp: logSumExp! }));
    // The log-sum-exp is written by the kernel that computes O.
    expect(plan.kernels.length).toBe(1);
    const bytes = [...memory.slots.values()].map((slot) => slot.bytes).sort((a, b) => b - a);
    expect(bytes[0]).toBe(2 * 4096 * 32 * 4);
    expect(bytes.reduce((sum, b) => sum + b, 0)).toBe(
      2 * (2 * 4096 * 32 * 4) + 8 * 32 * 4 + 8 * 4 + 8 * 32 * 4,
    );
  });
});

describe('chooseAttentionStrategy', () => {
  const attrsOf = (normalizer: Normalizer, valueDim = 32) => {
    const spec = attention({ heads: 4, headDim: 32, valueDim, normalizer });
    const { output } = applyAttention(spec, {
      query: input('q', [1, 4, 1, 32]),
      key: input('k', [1, 4, 8, 32]),
      value: input('v', [1, 4, 8, valueDim]),
    });
    return decodeAttention(output.attrs);
  };
  it('splits keys for decoding shapes and splittable normalizers, within the workgroup storage', () => {
    expect(chooseAttentionStrategy(attrsOf(softmax()), 1, 2048, DEFAULT_DEVICE_PROFILE)).toEqual({
      kind: 'splitKeys',
      splits: 64,
    });
    expect(chooseAttentionStrategy(attrsOf(sigmoid()), 4, 100, DEFAULT_DEVICE_PROFILE)).toEqual({
      kind: 'splitKeys',
      splits: 4,
    });
    expect(chooseAttentionStrategy(attrsOf(identity()), 1, 2048, DEFAULT_DEVICE_PROFILE)).toEqual({
      kind: 'splitKeys',
      splits: 64,
    });
    // 64 chunks × (256 + 3) floats exceed 16 KiB: 8 chunks fit.
    expect(chooseAttentionStrategy(attrsOf(softmax(), 256), 1, 4096, DEFAULT_DEVICE_PROFILE)).toEqual({
      kind: 'splitKeys',
      splits: 8,
    });
  });
  it('stays tiled for prefill, short caches and normalizers that need row statistics first', () => {
    const tiled = { kind: 'tiled' };
    expect(chooseAttentionStrategy(attrsOf(softmax()), 5, 2048, DEFAULT_DEVICE_PROFILE)).toEqual(tiled);
    expect(chooseAttentionStrategy(attrsOf(softmax()), 1, 31, DEFAULT_DEVICE_PROFILE)).toEqual(tiled);
    expect(chooseAttentionStrategy(attrsOf(nap()), 1, 2048, DEFAULT_DEVICE_PROFILE)).toEqual(tiled);
    expect(chooseAttentionStrategy(attrsOf(sparsemax()), 1, 2048, DEFAULT_DEVICE_PROFILE)).toEqual(tiled);
  });
});
