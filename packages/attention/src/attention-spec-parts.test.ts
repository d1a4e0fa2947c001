import {
  input,
  interpret,
  makeGraph,
  mul,
  type Node,
  param,
  rsqrt,
  sum,
  type Tensor64,
  tensorRef,
} from '@weft/ir';
import { expectClose, randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { buildCase, type CaseShape, decomposedOf, referenceOf } from '../test/attention-case.js';
import { type NaiveAttentionCase, naiveAttention } from '../test/naive-attention.js';
import {
  applyAttention,
  attention,
  causal,
  type QkNormKind,
  type QkNormScale,
  qkNorm,
  rope,
  scale,
  weightedGqa,
} from './index.js';

/** Float64 reference vs the hand-written float64 attention and vs the decomposition (both float64). */
const RTOL = 1e-9;
const ATOL = 1e-12;

const SHAPE: CaseShape = { batch: 2, heads: 4, kvHeads: 2, queries: 6, keys: 11, headDim: 8, valueDim: 6 };

function values(tensor: Tensor64): number[] {
  return Array.from(tensor.data);
}

function agree(testCase: ReturnType<typeof buildCase>, naive: NaiveAttentionCase, label: string) {
  const reference = referenceOf(testCase).output!;
  const expected = naiveAttention(naive).output;
  expectClose(
    reference,
    { shape: reference.shape, dtype: 'f32', data: expected },
    { rtol: RTOL, atol: ATOL, label },
  );
  expectClose(decomposedOf(testCase).output!, reference, {
    rtol: RTOL,
    atol: ATOL,
    label: `${label} decomposed`,
  });
}

function naiveOf(
  testCase: ReturnType<typeof buildCase>,
  extra: Partial<NaiveAttentionCase>,
): NaiveAttentionCase {
  return {
    ...testCase.shape,
    query: testCase.inputs.q!.data,
    key: testCase.inputs.k!.data,
    value: testCase.inputs.v!.data,
    ...extra,
  };
}

describe('QK normalization', () => {
  const kinds: QkNormKind[] = ['l2', 'rms', 'layer'];
  const scales: QkNormScale[] = ['none', 'scalar', 'vector'];
  for (const kind of kinds) {
    for (const scaleKind of scales) {
      it(`${kind} with ${scaleKind} scale, GQA, causal, then RoPE: reference = naive = decomposition`, () => {
        const d = SHAPE.headDim;
        const size = scaleKind === 'vector' ? d : 1;
        const bias = kind === 'layer' && scaleKind === 'vector';
        const gammaQ = randomTensor([size], { seed: 31, min: 0.5, max: 1.5 });
        const gammaK = randomTensor([size], { seed: 32, min: 0.5, max: 1.5 });
        const betaQ = randomTensor([d], { seed: 33 });
        const betaK = randomTensor([d], { seed: 34 });
        const extra =
          scaleKind === 'none'
            ? {}
            : {
                'attn.qNorm.gamma': { tensor: gammaQ, param: true },
                'attn.kNorm.gamma': { tensor: gammaK, param: true },
                ...(bias
                  ? {
                      'attn.qNorm.beta': { tensor: betaQ, param: true },
                      'attn.kNorm.beta': { tensor: betaK, param: true },
                    }
                  : {}),
              };
        const testCase = buildCase(
          SHAPE,
          {
            name: 'attn',
            qkNorm: qkNorm({ kind, scale: scaleKind, bias }),
            positions: rope({ base: 100 }),
            mask: causal(),
          },
          extra,
          3,
        );
        const epsilon = { l2: 1e-12, rms: 1e-6, layer: 1e-5 }[kind];
        agree(
          testCase,
          naiveOf(testCase, {
            ropeBase: 100,
            keep: (_b, _h, i, j) => j <= i + SHAPE.keys - SHAPE.queries,
            qkNorm: {
              kind,
              epsilon,
              ...(scaleKind === 'none' ? {} : { queryGamma: values(gammaQ), keyGamma: values(gammaK) }),
              ...(bias ? { queryBeta: values(betaQ), keyBeta: values(betaK) } : {}),
            },
          }),
          `${kind} ${scaleKind}`,
        );
      });
    }
  }

  it('equals attention over graph-level ℓ₂-normalized q and k (QKNorm, learned gain)', () => {
    const shape = [1, 4, 9, 8];
    const q = input('q', shape);
    const k = input('k', shape);
    const v = input('v', shape);
    const gain = param('gain', [1]);
    const l2 = (x: Node) => mul(x, rsqrt(sum(mul(x, x), -1, { keepDims: true })));
    const gainRef = tensorRef('gain', [1]);
    const plain = attention({ heads: 4, headDim: 8, score: [scale(gainRef)] });
    const spec = attention({
      heads: 4,
      headDim: 8,
      qkNorm: qkNorm({ kind: 'l2', scale: 'none' }),
      score: [scale(gainRef)],
    });
    const graph = makeGraph({
      graphLevel: applyAttention(plain, { query: l2(q), key: l2(k), value: v, tensors: { gain } }).output,
      specPart: applyAttention(spec, { query: q, key: k, value: v, tensors: { gain } }).output,
    });
    const inputs = {
      q: randomTensor(shape, { seed: 1 }),
      k: randomTensor(shape, { seed: 2 }),
      v: randomTensor(shape, { seed: 3 }),
    };
    const result = interpret(graph, { inputs, params: { gain: [Math.log2(9 * 9 - 9)] } });
    expectClose(result.specPart!, result.graphLevel!, { rtol: 1e-12, atol: 1e-14, label: 'qkNorm forms' });
  });

  it('rejects a γ of the wrong shape, naming the block and the parameter', () => {
    const spec = attention({
      name: 'layers.2.attn',
      heads: 2,
      headDim: 8,
      qkNorm: qkNorm({ scale: 'vector' }),
    });
    const q = input('q', [1, 2, 5, 8]);
    expect(() =>
      applyAttention(spec, {
        query: q,
        key: q,
        value: q,
        tensors: { 'layers.2.attn.qNorm.gamma': param('layers.2.attn.qNorm.gamma', [4]) },
      }),
    ).toThrow(/layers\.2\.attn.*qNorm\.gamma.*wrong shape/);
    expect(() => qkNorm({ kind: 'rms', bias: true })).toThrow(/bias exists for kind 'layer'/);
    expect(() => attention({ heads: 2, headDim: 8, qkNorm: {} as never })).toThrow(
      /qkNorm must come from qkNorm/,
    );
  });
});

describe('weighted GQA', () => {
  it('reference = naive = decomposition, with QK norm and RoPE on the mixed keys', () => {
    const shape: CaseShape = { ...SHAPE, kvHeads: 3 };
    const weights = randomTensor([4, 3], { seed: 41 });
    const testCase = buildCase(
      shape,
      {
        name: 'wgqa',
        heads: weightedGqa({ heads: 4, kvHeads: 3, weights: 'learned' }),
        qkNorm: qkNorm({ kind: 'rms', scale: 'none' }),
        positions: rope({ base: 50 }),
        mask: causal(),
      },
      { 'wgqa.kvWeights': { tensor: weights, param: true } },
      4,
    );
    agree(
      testCase,
      naiveOf(testCase, {
        ropeBase: 50,
        kvWeights: values(weights),
        qkNorm: { kind: 'rms', epsilon: 1e-6 },
        keep: (_b, _h, i, j) => j <= i + shape.keys - shape.queries,
      }),
      'weighted GQA',
    );
  });

  it('one-hot weights give plain GQA', () => {
    const shape: CaseShape = { ...SHAPE, queries: 5, keys: 5 };
    const oneHot = {
      shape: [4, 2],
      dtype: 'f32' as const,
      data: Float64Array.from([1, 0, 1, 0, 0, 1, 0, 1]),
    };
    const weighted = buildCase(
      shape,
      { name: 'w', heads: weightedGqa({ heads: 4, kvHeads: 2, weights: 'learned' }) },
      { 'w.kvWeights': { tensor: oneHot, param: true } },
      6,
    );
    const plain = buildCase(shape, {}, {}, 6);
    expectClose(referenceOf(weighted).output!, referenceOf(plain).output!, { rtol: 1e-12, atol: 1e-14 });
  });

  it('rejects weights of the wrong shape and conflicting kvHeads, naming the block', () => {
    const heads = weightedGqa({ heads: 4, kvHeads: 2, weights: 'learned' });
    const spec = attention({ name: 'dec.attn', heads, headDim: 8 });
    const q = input('q', [1, 4, 5, 8]);
    const kv = input('kv', [1, 2, 5, 8]);
    expect(() =>
      applyAttention(spec, {
        query: q,
        key: kv,
        value: kv,
        tensors: { 'dec.attn.kvWeights': param('dec.attn.kvWeights', [2, 4]) },
      }),
    ).toThrow(/dec\.attn.*kvWeights.*wrong shape/);
    expect(() => attention({ name: 'dec.attn', heads, kvHeads: 1, headDim: 8 })).toThrow(
      /dec\.attn.*disagrees with weightedGqa/,
    );
    expect(() => weightedGqa({ heads: 4, kvHeads: 0, weights: 'learned' })).toThrow(
      /kvHeads must be a positive/,
    );
  });
});

describe('2-D RoPE', () => {
  const grids: [number, number][] = [
    [3, 5],
    [4, 2],
    [1, 7],
  ];
  for (const grid of grids) {
    it(`grid ${grid[0]}×${grid[1]}: reference = naive = decomposition (queries are the last tokens)`, () => {
      const keys = grid[0] * grid[1];
      const shape: CaseShape = { ...SHAPE, queries: Math.min(4, keys), keys };
      const testCase = buildCase(shape, { positions: rope({ dims: 2, grid, base: 30 }) }, {}, 7);
      agree(testCase, naiveOf(testCase, { ropeBase: 30, ropeGrid: grid }), `grid ${grid.join('x')}`);
    });
  }

  it('rotates rows and columns with different angles (not a 1-D RoPE in disguise)', () => {
    const shape: CaseShape = { ...SHAPE, queries: 6, keys: 6 };
    const grid = buildCase(shape, { positions: rope({ dims: 2, grid: [2, 3] }) }, {}, 8);
    const wide = buildCase(shape, { positions: rope({ dims: 2, grid: [3, 2] }) }, {}, 8);
    const difference = referenceOf(grid)
      .output!.data.map((x, i) => Math.abs(x - referenceOf(wide).output!.data[i]!))
      .reduce((a, b) => Math.max(a, b), 0);
    expect(difference).toBeGreaterThan(1e-3);
  });

  it('rejects a grid that does not match the key length, and bad grids', () => {
    const spec = attention({
      name: 'vit.attn',
      heads: 2,
      headDim: 8,
      positions: rope({ dims: 2, grid: [3, 4] }),
    });
    const x = input('x', [1, 2, 10, 8]);
    expect(() => applyAttention(spec, { query: x, key: x, value: x })).toThrow(
      /vit\.attn.*grid 3×4 does not match the key length/,
    );
    expect(() => rope({ dims: 2 })).toThrow(/needs grid/);
    expect(() => rope({ grid: [2, 2] })).toThrow(/dims: 2 only/);
    expect(() =>
      attention({ name: 'tiny', heads: 2, headDim: 2, positions: rope({ dims: 2, grid: [1, 1] }) }),
    ).toThrow(/tiny.*no dim pair to rotate per axis/);
  });
});
