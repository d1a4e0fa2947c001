import { type Dim, input, interpret, makeGraph, type Node, symbolicDim, type Tensor64 } from '@weft/ir';
import { expectClose, randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  type AttentionOptions,
  type AttentionSpec,
  applyAttention,
  attention,
  causal,
  chooseQkTransformPlacement,
  QK_TRANSFORMS_BEFORE_KERNEL_MIN_KEYS,
  type QkTransformPlacement,
  qkNorm,
  rope,
  scoreMod,
  weightedGqa,
} from './index.js';

/** The hoisted ops vs the op's float64 evaluator, both float64: equal up to rounding. */
const RTOL = 1e-9;
const ATOL = 1e-12;

interface Shape {
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly queries: number;
  readonly keys: number;
  readonly headDim: number;
  readonly valueDim: number;
}

/** Seeded Q, K, V and the spec's own parameters (γ around 1, β and GQA weights in [-1, 1)). */
function tensorsOf(spec: AttentionSpec, shape: Shape, seed: number): Record<string, Tensor64> {
  const { batch, heads, kvHeads, queries, keys, headDim, valueDim } = shape;
  const tensors: Record<string, Tensor64> = {
    q: randomTensor([batch, heads, queries, headDim], { seed }),
    k: randomTensor([batch, kvHeads, keys, headDim], { seed: seed + 1 }),
    v: randomTensor([batch, kvHeads, keys, valueDim], { seed: seed + 2 }),
  };
  const norm = spec.qkNorm;
  for (const side of ['qNorm', 'kNorm']) {
    if (norm !== undefined && norm.scale !== 'none')
      tensors[`${spec.name}.${side}.gamma`] = randomTensor([norm.scale === 'scalar' ? 1 : headDim], {
        seed: seed + 3,
        min: 0.5,
        max: 1.5,
      });
    if (norm?.bias === true)
      tensors[`${spec.name}.${side}.beta`] = randomTensor([headDim], { seed: seed + 4 });
  }
  if (spec.weightedHeads)
    tensors[`${spec.name}.kvWeights`] = randomTensor([heads, kvHeads], { seed: seed + 5 });
  return tensors;
}

/** Applies `spec` at `placement` (lengths symbolic when asked) and interprets it in float64. */
function run(
  spec: AttentionSpec,
  shape: Shape,
  placement: QkTransformPlacement,
  tensors: Record<string, Tensor64>,
  symbolic = false,
): { output: Tensor64; logSumExp: Tensor64; attention: Node } {
  const queries: Dim = symbolic ? symbolicDim('nq', { max: 64 }) : shape.queries;
  const keys: Dim = symbolic ? symbolicDim('nk', { max: 64 }) : shape.keys;
  const { batch, heads, kvHeads, headDim, valueDim } = shape;
  const result = applyAttention(
    spec,
    {
      query: input('q', [batch, heads, queries, headDim]),
      key: input('k', [batch, kvHeads, keys, headDim]),
      value: input('v', [batch, kvHeads, keys, valueDim]),
    },
    { qkTransforms: placement },
  );
  const dims: Record<string, number> = symbolic ? { nq: shape.queries, nk: shape.keys } : {};
  const outputs = interpret(makeGraph({ output: result.output, logSumExp: result.logSumExp! }), {
    inputs: tensors,
    params: tensors,
    dims,
  });
  return { output: outputs.output!, logSumExp: outputs.logSumExp!, attention: result.output };
}

const MHA: Shape = { batch: 2, heads: 3, kvHeads: 3, queries: 13, keys: 13, headDim: 8, valueDim: 6 };
const GQA: Shape = { batch: 1, heads: 4, kvHeads: 2, queries: 7, keys: 17, headDim: 12, valueDim: 5 };

const CASES: [
  string,
  Shape,
  Omit<AttentionOptions, 'heads' | 'headDim' | 'valueDim'> & { heads?: AttentionOptions['heads'] },
][] = [
  ['MHA, RMS norm (γ), RoPE, causal, N=13', MHA, { qkNorm: qkNorm(), positions: rope(), mask: causal() }],
  [
    'GQA, layer norm (γ, β), interleaved partial RoPE, causal, Nq=7 Nk=17',
    GQA,
    {
      qkNorm: qkNorm({ kind: 'layer', bias: true }),
      positions: rope({ layout: 'interleaved', fraction: 0.5 }),
      mask: causal(),
    },
  ],
  [
    'GQA, L2 norm (scalar γ), no RoPE, Nq=Nk=1',
    { ...GQA, queries: 1, keys: 1 },
    { qkNorm: qkNorm({ kind: 'l2', scale: 'scalar' }) },
  ],
  [
    'MHA, RoPE only, Nq=1 Nk=11',
    { ...MHA, queries: 1, keys: 11 },
    { positions: rope({ base: 500 }), mask: causal() },
  ],
  [
    'weighted GQA (3 → 4 heads), RMS norm, RoPE, causal',
    { ...GQA, kvHeads: 3 },
    {
      heads: weightedGqa({ heads: 4, kvHeads: 3, weights: 'learned' }),
      qkNorm: qkNorm(),
      positions: rope(),
      mask: causal(),
    },
  ],
  [
    '2-D RoPE on a 3×5 grid, RMS norm',
    { ...MHA, queries: 15, keys: 15 },
    { qkNorm: qkNorm(), positions: rope({ dims: 2, grid: [3, 5] }) },
  ],
];

function specOf(shape: Shape, options: (typeof CASES)[number][2]): AttentionSpec {
  return attention({
    heads: shape.heads,
    ...(options.heads === undefined ? { kvHeads: shape.kvHeads } : {}),
    ...options,
    headDim: shape.headDim,
    valueDim: shape.valueDim,
    outputs: { logSumExp: true },
    name: 'attn',
  } as AttentionOptions);
}

describe('applyAttention qkTransforms: QK norm and RoPE before the kernel vs in it', () => {
  for (const [label, shape, options] of CASES) {
    for (const symbolic of [false, true]) {
      it(`${label}${symbolic ? ', symbolic lengths' : ''}: both placements equal the float64 reference`, () => {
        const spec = specOf(shape, options);
        const tensors = tensorsOf(spec, shape, 7);
        if (symbolic && spec.positions.name === 'rope' && spec.positions.rope.grid !== null) {
          // 2-D RoPE needs a static key length equal to the grid, in either placement.
          for (const placement of ['inKernel', 'beforeKernel'] as const)
            expect(() => run(spec, shape, placement, tensors, true)).toThrow(/2-D RoPE grid 3×5/);
          return;
        }
        const reference = run(spec, shape, 'inKernel', tensors, symbolic);
        const hoisted = run(spec, shape, 'beforeKernel', tensors, symbolic);
        // The in-kernel form is one attention op on the raw inputs; the hoisted one reads prepared rows.
        expect(reference.attention.inputs[0]!.op).toBe('input');
        expect(hoisted.attention.inputs[0]!.op).not.toBe('input');
        expect(hoisted.attention.attrs.rope ?? null).toBeNull();
        expect(hoisted.attention.attrs.qkNorm ?? null).toBeNull();
        expectClose(hoisted.output, reference.output, { rtol: RTOL, atol: ATOL, label });
        expectClose(hoisted.logSumExp, reference.logSumExp, {
          rtol: RTOL,
          atol: ATOL,
          label: `${label} lse`,
        });
      });
    }
  }

  it('keeps caller-bound parameters for the hoisted ops', () => {
    const spec = specOf(MHA, { qkNorm: qkNorm(), positions: rope() });
    const tensors = tensorsOf(spec, MHA, 9);
    const gamma = input('attn.qNorm.gamma', [MHA.headDim]);
    const apply = (placement: QkTransformPlacement) =>
      applyAttention(
        spec,
        {
          query: input('q', [2, 3, 13, 8]),
          key: input('k', [2, 3, 13, 8]),
          value: input('v', [2, 3, 13, 6]),
          tensors: { 'attn.qNorm.gamma': gamma },
        },
        { qkTransforms: placement },
      ).output;
    const evaluate = (node: Node) =>
      interpret(makeGraph({ output: node }), { inputs: tensors, params: tensors }).output!;
    expectClose(evaluate(apply('beforeKernel')), evaluate(apply('inKernel')), { rtol: RTOL, atol: ATOL });
  });
});

describe('qkTransforms beforeKernel errors', () => {
  it('names the block when a weighted-GQA score mod reads kvHead', () => {
    const shape = { ...GQA, kvHeads: 3 };
    const spec = specOf(shape, {
      heads: weightedGqa({ heads: 4, kvHeads: 3, weights: 'learned' }),
      qkNorm: qkNorm(),
      score: scoreMod((score, { kvHead }) => score.add(kvHead.cast('f32'))),
    });
    const tensors = tensorsOf(spec, shape, 11);
    expect(() => run(spec, shape, 'beforeKernel', tensors)).toThrow(
      /attention "attn": QK norm and RoPE cannot run before the kernel under weighted GQA.*kvHead/,
    );
    expect(run(spec, shape, 'inKernel', tensors).output.data.some(Number.isNaN)).toBe(false);
  });
});

describe('qkTransforms auto', () => {
  const spec = attention({ heads: 2, headDim: 8, qkNorm: qkNorm(), positions: rope(), mask: causal() });
  const threshold = QK_TRANSFORMS_BEFORE_KERNEL_MIN_KEYS;

  it(`hoists from ${threshold} keys, keeps the kernel form below`, () => {
    expect(chooseQkTransformPlacement(spec, threshold, threshold)).toBe('beforeKernel');
    expect(chooseQkTransformPlacement(spec, threshold - 1, threshold - 1)).toBe('inKernel');
    expect(chooseQkTransformPlacement(spec, 64, threshold - 1)).toBe('inKernel');
  });

  it('uses the maximum of symbolic lengths', () => {
    const long = symbolicDim('n', { max: threshold });
    const short = symbolicDim('n', { max: threshold - 1 });
    expect(chooseQkTransformPlacement(spec, long, long)).toBe('beforeKernel');
    expect(chooseQkTransformPlacement(spec, short, short)).toBe('inKernel');
  });

  it('keeps the kernel form for one query block and for specs without QK norm or RoPE', () => {
    expect(chooseQkTransformPlacement(spec, 32, threshold)).toBe('inKernel');
    const plain = attention({ heads: 2, headDim: 8, mask: causal() });
    expect(chooseQkTransformPlacement(plain, threshold, threshold)).toBe('inKernel');
  });

  it('is the default of applyAttention on both sides of the threshold', () => {
    const first = (length: number) =>
      applyAttention(spec, {
        query: input('q', [1, 2, length, 8]),
        key: input('k', [1, 2, length, 8]),
        value: input('v', [1, 2, length, 8]),
      }).output.inputs[0]!.op;
    expect(first(threshold)).not.toBe('input');
    expect(first(threshold - 1)).toBe('input');
  });
});
