import { input, makeGraph, runPipeline } from '@weft/ir';
import { expectClose } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { buildCase, type CaseShape, decomposedOf, referenceOf } from '../test/attention-case.js';
import { denseReadouts } from '../test/dense-readouts.js';
import { applyAttention, attention, causal, sigmoid, softmax } from './index.js';
import { ATTENTION_OP } from './op/attention-attrs.js';

const SEGMENTS = [0, 5, 11];
const PROBES = [-1, 0];
const READOUTS = { entropy: true, diagonal: true, segmentMass: SEGMENTS, probeRows: PROBES } as const;

describe('fused readouts: float64 reference and decomposition against the papers’ formulas', () => {
  for (const [label, shape] of [
    ['self-attention', { batch: 2, heads: 4, kvHeads: 2, queries: 13, keys: 13, headDim: 8, valueDim: 4 }],
    [
      'queries at the end of the keys',
      { batch: 1, heads: 2, kvHeads: 2, queries: 5, keys: 17, headDim: 8, valueDim: 4 },
    ],
  ] as const satisfies readonly (readonly [string, CaseShape])[]) {
    it(`${label}: entropy (88), diagonal (79), segment mass (14, 116), probes (42, 45) under a causal mask`, () => {
      const testCase = buildCase(shape, { mask: causal(), outputs: READOUTS }, {}, 11);
      const dense = denseReadouts({
        ...shape,
        query: testCase.inputs.q!.data,
        key: testCase.inputs.k!.data,
        keep: (i, j) => j <= i + shape.keys - shape.queries,
        segmentStarts: SEGMENTS,
        probeRows: PROBES,
      });
      const reference = referenceOf(testCase);
      const decomposed = decomposedOf(testCase);
      for (const name of ['entropy', 'diagonal', 'segmentMass', 'probeRows'] as const) {
        expectClose(reference[name]!, dense[name], { rtol: 1e-10, atol: 1e-12, label: `${label} ${name}` });
        expectClose(decomposed[name]!, dense[name], {
          rtol: 1e-9,
          atol: 1e-12,
          label: `${label} ${name} (decomposed)`,
        });
      }
      // The readouts are not trivial: entropy in [0, log Nk] (0 only on one-key rows), masses sum to 1.
      expect(dense.entropy.every((x) => x >= 0 && x <= Math.log(shape.keys) + 1e-12)).toBe(true);
      expect(dense.entropy.filter((x) => x > 0.1).length).toBeGreaterThan(dense.entropy.length / 2);
      for (let row = 0; row < dense.entropy.length; row++) {
        const mass = dense.segmentMass.slice(row * 3, row * 3 + 3).reduce((a, x) => a + x, 0);
        expect(mass).toBeCloseTo(1, 12);
      }
    });
  }
});

describe('relative-offset mass (Shaw relative values, catalog #46)', () => {
  it('float64 reference and decomposition: M_ir = Σ_{j: clip(i + Nk − Nq − j, −K, K) = r} p_ij', () => {
    const shape = { batch: 1, heads: 2, kvHeads: 2, queries: 6, keys: 11, headDim: 8, valueDim: 4 };
    const clip = 3;
    const testCase = buildCase(shape, { outputs: { relativeMass: clip } }, {}, 5);
    const { probabilities } = denseReadouts({
      ...shape,
      query: testCase.inputs.q!.data,
      key: testCase.inputs.k!.data,
      keep: () => true,
      segmentStarts: [0],
      probeRows: [],
    });
    const width = 2 * clip + 1;
    const expected = new Float64Array(shape.heads * shape.queries * width);
    for (let row = 0; row < shape.heads * shape.queries; row++)
      for (let j = 0; j < shape.keys; j++) {
        const i = row % shape.queries;
        const offset = Math.min(clip, Math.max(-clip, i + shape.keys - shape.queries - j));
        expected[row * width + offset + clip]! += probabilities[row * shape.keys + j]!;
      }
    expectClose(referenceOf(testCase).relativeMass!, expected, {
      rtol: 1e-10,
      atol: 1e-12,
      label: 'reference',
    });
    expectClose(decomposedOf(testCase).relativeMass!, expected, {
      rtol: 1e-9,
      atol: 1e-12,
      label: 'decomposed',
    });
    // Not trivial: every row's buckets sum to 1, and every bucket holds mass in some row.
    for (let row = 0; row < shape.heads * shape.queries; row++)
      expect(expected.slice(row * width, (row + 1) * width).reduce((a, x) => a + x, 0)).toBeCloseTo(1, 12);
    for (let r = 0; r < width; r++)
      expect(expected.some((mass, flat) => flat % width === r && mass > 0.01)).toBe(true);
  });

  it('rejects a clip distance that is not an integer in [1, 32], and non-softmax normalizers', () => {
    for (const clip of [0, 1.5, 33])
      expect(() => attention({ heads: 2, headDim: 8, outputs: { relativeMass: clip } })).toThrow(
        /outputs.relativeMass/,
      );
    expect(() =>
      attention({ heads: 2, headDim: 8, normalizer: sigmoid(), outputs: { relativeMass: 2 } }),
    ).toThrow(/softmax only/);
  });
});

/** The attention kernels of the plan of causal attention over N keys, with `outputs`. */
function attentionKernels(queries: number, outputs: Parameters<typeof attention>[0]['outputs'], fuse = true) {
  const result = applyAttention(
    attention({
      heads: 4,
      kvHeads: 2,
      headDim: 16,
      mask: causal(),
      normalizer: softmax(),
      ...(outputs === undefined ? {} : { outputs }),
    }),
    {
      query: input('q', [1, 4, queries, 16]),
      key: input('k', [1, 2, 64, 16]),
      value: input('v', [1, 2, 64, 16]),
    },
  );
  const graphOutputs = Object.fromEntries(
    Object.entries(result).filter(
      (entry): entry is [string, NonNullable<(typeof entry)[1]>] => entry[1] !== undefined,
    ),
  );
  const { plan } = runPipeline(makeGraph(graphOutputs), { fuse });
  return plan.kernels.filter((kernel) => kernel.template === ATTENTION_OP);
}

describe('requesting readouts adds no kernel', () => {
  for (const [name, queries] of [
    ['prefill', 64],
    ['decoding', 1],
  ] as const) {
    it(`${name}: O with every readout and row statistic is one kernel (unfused: eight)`, () => {
      const all = { logSumExp: true, rowMax: true, relativeMass: 4, ...READOUTS };
      const fused = attentionKernels(queries, all);
      expect(attentionKernels(queries, undefined)).toHaveLength(1);
      expect(fused).toHaveLength(1);
      expect(fused[0]!.outputs.map((node) => node.attrs.output).sort()).toEqual([
        'diagonal',
        'entropy',
        'logSumExp',
        'output',
        'probeRows',
        'relativeMass',
        'rowMax',
        'segmentMass',
      ]);
      expect(attentionKernels(queries, all, false)).toHaveLength(8);
    });
  }
  it('a spec without readouts keeps the attributes it had (no segment attribute)', () => {
    const plain = applyAttention(attention({ heads: 2, headDim: 8 }), {
      query: input('q', [1, 2, 4, 8]),
      key: input('k', [1, 2, 4, 8]),
      value: input('v', [1, 2, 4, 8]),
    });
    expect('keySegments' in plain.output.attrs).toBe(false);
  });
});

describe('readout spec errors', () => {
  it('rejects readouts of a normalizer without a log-sum-exp, and bad segment starts', () => {
    expect(() =>
      attention({ heads: 2, headDim: 8, normalizer: sigmoid(), outputs: { entropy: true } }),
    ).toThrow(/softmax only/);
    expect(() => attention({ heads: 2, headDim: 8, outputs: { segmentMass: [1, 4] } })).toThrow(
      /segmentMass\[0\]/,
    );
    expect(() => attention({ heads: 2, headDim: 8, outputs: { segmentMass: [0, 4, 4] } })).toThrow(
      /segmentMass\[2\]/,
    );
    expect(() => attention({ heads: 2, headDim: 8, outputs: { segmentMass: [] } })).toThrow(/segment starts/);
    expect(() => attention({ heads: 2, headDim: 8, outputs: { diagonal: 1 as never } })).toThrow(
      /outputs.diagonal/,
    );
  });
});
