import { decomposeExtensionOps, input, interpret, makeGraph, ShapeError, SpecError } from '@weft/ir';
import { expectClose, randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  buildCase,
  type CaseShape,
  decomposedOf,
  expectReferenceAgrees,
  referenceOf,
} from '../test/attention-case.js';
import { naiveAttention } from '../test/naive-attention.js';
import { diffQkvCatalogEntry } from './catalog/diff-qkv-entry.js';
import {
  applyAttention,
  attention,
  causal,
  type Normalizer,
  qkNorm,
  rope,
  sigmoid,
  softmax,
  weightedGqa,
} from './index.js';

/** [query heads, key heads, value heads]: K and V grouped independently. */
const LAYOUTS: [number, number, number][] = [
  [4, 1, 4],
  [4, 2, 4],
  [4, 4, 2],
  [6, 3, 2],
  [4, 1, 2],
  [16, 4, 16],
];
const LENGTHS = [
  [1, 1],
  [7, 7],
  [5, 11],
] as const;
const NORMALIZERS: [string, Normalizer, 'softmax' | 'sigmoid', number | undefined][] = [
  ['softmax', softmax(), 'softmax', undefined],
  ['sigmoid', sigmoid({ bias: -1 }), 'sigmoid', -1],
];

describe('decoupled value heads (Sigma DiffQKV): reference vs a hand-written attention and the decomposition', () => {
  let seed = 300;
  for (const [heads, kvHeads, valueHeads] of LAYOUTS) {
    for (const [normalizerName, normalizer, naiveName, sigmoidBias] of NORMALIZERS) {
      const caseSeed = seed++;
      it(`H=${heads} Hk=${kvHeads} Hv=${valueHeads}, causal, ${normalizerName}`, () => {
        for (const [queries, keys] of LENGTHS) {
          const shape: CaseShape = {
            batch: 2,
            heads,
            kvHeads,
            valueHeads,
            queries,
            keys,
            headDim: 6,
            valueDim: 10,
          };
          const testCase = buildCase(shape, { mask: causal(), normalizer }, {}, caseSeed);
          const naive = naiveAttention({
            ...shape,
            query: testCase.inputs.q!.data,
            key: testCase.inputs.k!.data,
            value: testCase.inputs.v!.data,
            keep: (_b, _h, i, j) => j <= i + keys - queries,
            normalizer: naiveName,
            ...(sigmoidBias === undefined ? {} : { sigmoidBias }),
          });
          const label = `H=${heads} Hk=${kvHeads} Hv=${valueHeads} Nq=${queries} Nk=${keys}`;
          expectReferenceAgrees(testCase, naive.output, label);
        }
      });
    }
  }

  it('groups V by ⌊h·Hv/H⌋: each query head reads its own value head when Hv = H', () => {
    // With one key and softmax, O[h] is exactly the value row of head h's value head.
    const shape: CaseShape = {
      batch: 1,
      heads: 4,
      kvHeads: 1,
      valueHeads: 4,
      queries: 2,
      keys: 1,
      headDim: 4,
      valueDim: 3,
    };
    const testCase = buildCase(shape, {}, {}, 7);
    const output = referenceOf(testCase).output!.data;
    const value = testCase.inputs.v!.data;
    for (let h = 0; h < 4; h++)
      for (let i = 0; i < 2; i++)
        for (let d = 0; d < 3; d++) expect(output[(h * 2 + i) * 3 + d]).toBe(value[h * 3 + d]);
  });

  it('with QK norm and RoPE (prepared K rows shared by groups of 4, V rows per head)', () => {
    const shape: CaseShape = {
      batch: 1,
      heads: 8,
      kvHeads: 2,
      valueHeads: 8,
      queries: 9,
      keys: 9,
      headDim: 8,
      valueDim: 4,
    };
    const testCase = buildCase(
      shape,
      { name: 'sigma', positions: rope({ base: 100 }), qkNorm: qkNorm({ kind: 'rms', scale: 'none' }) },
      {},
      41,
    );
    const naive = naiveAttention({
      ...shape,
      query: testCase.inputs.q!.data,
      key: testCase.inputs.k!.data,
      value: testCase.inputs.v!.data,
      ropeBase: 100,
      qkNorm: { kind: 'rms', epsilon: 1e-6 },
    });
    const reference = referenceOf(testCase).output!;
    expectClose(reference, naive.output, { rtol: 1e-9, atol: 1e-12 });
    expectClose(decomposedOf(testCase).output!, reference, { rtol: 1e-9, atol: 1e-12 });
  });

  it('weighted GQA still mixes K and V with one weight matrix (valueHeads defaults to its kvHeads)', () => {
    const shape: CaseShape = { batch: 2, heads: 4, kvHeads: 3, queries: 5, keys: 8, headDim: 6, valueDim: 4 };
    const weights = randomTensor([4, 3], { seed: 12 });
    const testCase = buildCase(
      shape,
      { name: 'w', heads: weightedGqa({ heads: 4, kvHeads: 3, weights: 'learned' }), mask: causal() },
      { 'w.kvWeights': { tensor: weights, param: true } },
      13,
    );
    expect(testCase.spec.valueHeads).toBe(3);
    const naive = naiveAttention({
      ...shape,
      query: testCase.inputs.q!.data,
      key: testCase.inputs.k!.data,
      value: testCase.inputs.v!.data,
      keep: (_b, _h, i, j) => j <= i + 3,
      kvWeights: Array.from(weights.data),
    });
    expectClose(referenceOf(testCase).output!, naive.output, { rtol: 1e-10, atol: 1e-12 });
    expectClose(decomposedOf(testCase).output!, naive.output, { rtol: 1e-9, atol: 1e-12 });
  });

  it('Sigma catalog instance: the query-side absorbed W_up equals scoring against K·W_up', () => {
    const { graph, inputs, params, dims } = diffQkvCatalogEntry.build();
    const reference = interpret(graph, { inputs, params, dims }).output!;
    const decomposed = interpret(decomposeExtensionOps(graph), { inputs, params, dims }).output!;
    expectClose(decomposed, reference, { rtol: 1e-9, atol: 1e-12 });
    // The paper's order: up-project every cached key row (K' = K·W_up, d 8 → 16), then q·k'/√16.
    const [heads, keyHeads, valueHeads, length, keyDim, dim] = [4, 2, 4, 24, 8, 16];
    const up = params['sigma-diff-qkv.keyUp']!;
    const key = inputs.k as Float32Array;
    const upKey = new Float64Array(keyHeads * length * dim);
    for (let g = 0; g < keyHeads; g++)
      for (let j = 0; j < length; j++)
        for (let e = 0; e < dim; e++) {
          let total = 0;
          for (let d = 0; d < keyDim; d++)
            total += key[(g * length + j) * keyDim + d]! * up[(g * keyDim + d) * dim + e]!;
          upKey[(g * length + j) * dim + e] = total;
        }
    const naive = naiveAttention({
      batch: 1,
      heads,
      kvHeads: keyHeads,
      valueHeads,
      queries: length,
      keys: length,
      headDim: dim,
      valueDim: dim,
      query: inputs.q as Float32Array,
      key: upKey,
      value: inputs.v as Float32Array,
      keep: (_b, _h, i, j) => j <= i,
    });
    expectClose(reference, naive.output, { rtol: 1e-6, atol: 1e-9, label: 'absorbed vs explicit K·W_up' });
  });
});

describe('decoupled value heads: errors name the block, the tensor and the dimension', () => {
  it('rejects value heads that do not divide the query heads', () => {
    expect(() =>
      attention({ name: 'layers.2.attn', heads: 8, kvHeads: 2, valueHeads: 3, headDim: 4 }),
    ).toThrow(SpecError);
    expect(() =>
      attention({ name: 'layers.2.attn', heads: 8, kvHeads: 2, valueHeads: 3, headDim: 4 }),
    ).toThrow(/attention "layers\.2\.attn": valueHeads \(3\) must divide heads \(8\)/);
    expect(() => attention({ heads: 8, valueHeads: 0, headDim: 4 })).toThrow(
      /valueHeads must be a positive integer/,
    );
  });

  it('rejects value heads that differ from weighted GQA key/value heads', () => {
    expect(() =>
      attention({
        name: 'wg',
        heads: weightedGqa({ heads: 4, kvHeads: 2, weights: 'learned' }),
        valueHeads: 4,
        headDim: 4,
      }),
    ).toThrow(/attention "wg": valueHeads \(4\) must equal weightedGqa's kvHeads \(2\)/);
  });

  it('rejects a value tensor with the key head count when the spec decouples them', () => {
    const spec = attention({ name: 'sigma', heads: 4, kvHeads: 1, valueHeads: 4, headDim: 4, valueDim: 6 });
    const query = input('q', [1, 4, 3, 4]);
    const key = input('k', [1, 1, 3, 4]);
    let error: unknown;
    try {
      makeGraph({ output: applyAttention(spec, { query, key, value: input('v', [1, 1, 3, 6]) }).output });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect(String((error as Error).message)).toMatch(
      /attention "sigma": value heads \(valueHeads\) does not match/,
    );
    expect((error as ShapeError).context).toMatchObject({
      block: 'sigma',
      tensor: 'value',
      dimension: 1,
      expected: '4',
      actual: '1',
    });
  });
});
