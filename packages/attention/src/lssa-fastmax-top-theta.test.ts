import { ShapeError, SpecError, type Tensor64, WeftError } from '@weft/ir';
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
import { denseRowAttention, type RowRule } from '../test/dense-row-attention.js';
import {
  causal,
  keyPadding,
  type Mask,
  type Normalizer,
  polynomialNormalized,
  softmax,
  softplusNormalized,
  type ThresholdCompensation,
  topTheta,
} from './index.js';

const LENGTHS = [
  [1, 1],
  [7, 7],
  [13, 13],
  [5, 11],
] as const;

const lengths = tensorRef('lengths', [2], 'i32');

interface MaskCase {
  readonly mask?: Mask;
  readonly keep?: (b: number, i: number, j: number, shape: CaseShape) => boolean;
  readonly extra?: (shape: CaseShape) => Record<string, { tensor: Tensor64 }>;
}

const MASKS: Record<string, MaskCase> = {
  none: {},
  causal: { mask: causal(), keep: (_b, i, j, s) => j <= i + s.keys - s.queries },
  padding: {
    mask: keyPadding(lengths),
    keep: (b, _i, j, s) => j < [s.keys, Math.ceil(s.keys / 2)][b]!,
    extra: (s) => ({ lengths: { tensor: intTensor([2], [s.keys, Math.ceil(s.keys / 2)]) } }),
  },
};

const softplus = (x: number) => Math.log(1 + Math.exp(x));
const normalized = (values: readonly number[]) => {
  const total = values.reduce((sum, x) => sum + x, 0);
  return values.map((x) => (total > 0 ? x / total : 0));
};

/** LSSA / LSSAR from the paper's equations: c = log_b N, softplus, l1, then g and l1 again. */
function lssaRule(
  base: number | undefined,
  reweight?: { form: 'power' | 'reluPower'; power: number },
): RowRule {
  return (scores) => {
    const n = scores.length;
    const c = base === undefined ? 1 : Math.log(n) / Math.log(base);
    const a = normalized(scores.map((s) => softplus(c * s)));
    if (reweight === undefined) return a;
    return normalized(
      a.map((x) =>
        reweight.form === 'power' ? x ** reweight.power : Math.max(n * x - 1, 0) ** reweight.power,
      ),
    );
  };
}

/** FAST's quadratic form: f(s) = Σ_{l ≤ p} s^l / l!, l1-normalized. */
function fastmaxRule(degree: 1 | 2): RowRule {
  return (scores) => normalized(scores.map((s) => 1 + s + (degree === 2 ? (s * s) / 2 : 0)));
}

/** Top-θ from the paper's equations, with exp(s)/Σ_visible exp(s) and the three policies. */
function topThetaRule(theta: (h: number, i: number) => number, compensation: ThresholdCompensation): RowRule {
  return (scores, { h, i }) => {
    const exps = scores.map(Math.exp);
    const all = exps.reduce((sum, x) => sum + x, 0);
    const keptExps = exps.map((e, j) => (scores[j]! >= theta(h, i) ? e : 0));
    const kept = keptExps.reduce((sum, x) => sum + x, 0);
    if (compensation === 'none') return keptExps.map((e) => (kept > 0 ? e / kept : 0));
    if (compensation === 'denominator') return keptExps.map((e) => e / all);
    return keptExps.map((e) => e / all + (1 - kept / all) / scores.length);
  };
}

/** Checks reference vs dense and decomposition vs reference over heads × masks × lengths. */
function checkAgainstDense(
  label: string,
  normalizer: Normalizer,
  rule: RowRule,
  seed: number,
  extra: (shape: CaseShape) => Record<string, { tensor: Tensor64 }> = () => ({}),
) {
  for (const [maskName, maskCase] of Object.entries(MASKS)) {
    for (const [queries, keys] of LENGTHS) {
      const shape: CaseShape = { batch: 2, heads: 4, kvHeads: 2, queries, keys, headDim: 8, valueDim: 6 };
      const testCase = buildCase(
        shape,
        { ...(maskCase.mask === undefined ? {} : { mask: maskCase.mask }), normalizer },
        { ...(maskCase.extra?.(shape) ?? {}), ...extra(shape) },
        seed,
      );
      const dense = denseRowAttention(
        {
          shape,
          query: testCase.inputs.q!.data,
          key: testCase.inputs.k!.data,
          value: testCase.inputs.v!.data,
          ...(maskCase.keep === undefined
            ? {}
            : { keep: (b: number, _h: number, i: number, j: number) => maskCase.keep!(b, i, j, shape) }),
        },
        rule,
      );
      const where = `${label} ${maskName} Nq=${queries} Nk=${keys}`;
      // Both float64; summation order and the stable softplus form differ.
      const reference = expectReferenceAgrees(testCase, dense, where);
      // A single key may fall below every θ; longer rows must not all vanish.
      if (keys > 1)
        expect(
          reference.data.some((x) => x !== 0),
          `${where}: not all zero`,
        ).toBe(true);
    }
  }
}

describe('LSSA / LSSAR (catalog #113): reference and decomposition vs the paper equations', () => {
  const cases: [string, Normalizer, RowRule][] = [
    ['softplus l1', softplusNormalized(), lssaRule(undefined)],
    ['LSSA ln N', softplusNormalized({ lengthScale: 'log' }), lssaRule(Math.E)],
    ['LSSA log_512 N', softplusNormalized({ lengthScale: 512 }), lssaRule(512)],
    [
      'LSSAR power 2',
      softplusNormalized({ lengthScale: 'log', reweight: {} }),
      lssaRule(Math.E, { form: 'power', power: 2 }),
    ],
    [
      'LSSAR reluPower 3',
      softplusNormalized({ lengthScale: 'log', reweight: { form: 'reluPower', power: 3 } }),
      lssaRule(Math.E, { form: 'reluPower', power: 3 }),
    ],
    [
      'softplus + reweight power 1.5, no length scale',
      softplusNormalized({ reweight: { power: 1.5 } }),
      lssaRule(undefined, { form: 'power', power: 1.5 }),
    ],
  ];
  cases.forEach(([label, normalizer, rule], index) => {
    it(label, () => checkAgainstDense(label, normalizer, rule, 40 + index));
  });

  it('the length scale uses the kept keys of each row: causal row i sees i + 1 keys', () => {
    const shape: CaseShape = { batch: 1, heads: 2, kvHeads: 2, queries: 9, keys: 9, headDim: 8, valueDim: 4 };
    const scaled = referenceOf(
      buildCase(shape, { mask: causal(), normalizer: softplusNormalized({ lengthScale: 'log' }) }, {}, 3),
    ).output!;
    const plain = referenceOf(buildCase(shape, { mask: causal(), normalizer: softplusNormalized() }, {}, 3))
      .output!;
    // Row 0 keeps one key, so both give v_0; row 8 keeps 9 keys and c = ln 9 ≠ 1 changes it.
    expectClose(scaled.data.slice(0, 4), plain.data.slice(0, 4), { rtol: 1e-12, atol: 0 });
    expect(Math.abs(scaled.data[8 * 4]! - plain.data[8 * 4]!)).toBeGreaterThan(1e-3);
  });

  it('rejects a bad length scale, reweight form and power', () => {
    expect(() => softplusNormalized({ lengthScale: 1 })).toThrow(SpecError);
    expect(() => softplusNormalized({ lengthScale: 'sqrt' as 'log' })).toThrow(/lengthScale/);
    expect(() => softplusNormalized({ reweight: { form: 'cube' as 'power' } })).toThrow(/reweight form/);
    expect(() => softplusNormalized({ reweight: { power: 0 } })).toThrow(/power/);
  });
});

describe('FAST / Fastmax quadratic form (catalog #26): reference and decomposition vs the paper equations', () => {
  for (const degree of [1, 2] as const) {
    it(`degree ${degree}`, () =>
      checkAgainstDense(
        `fastmax p=${degree}`,
        polynomialNormalized({ degree }),
        fastmaxRule(degree),
        50 + degree,
      ));
  }

  it('rejects degrees other than 1 and 2', () => {
    expect(() => polynomialNormalized({ degree: 3 as 2 })).toThrow(/degree must be 1 or 2/);
  });
});

describe('Top-θ (catalog #114): reference and decomposition vs the paper equations', () => {
  // Head 3's θ lies above every score: its rows keep nothing.
  const perHead = [-0.05, 0.1, 0.3, 5];
  const perRow = (h: number, i: number) => perHead[h]! + 0.05 * ((i % 3) - 1);
  for (const compensation of ['none', 'denominator', 'valueMean'] as const) {
    it(`θ per head, ${compensation}`, () => {
      const theta = tensorRef('theta', [4]);
      checkAgainstDense(
        `top-θ [heads] ${compensation}`,
        topTheta({ threshold: theta, compensation }),
        topThetaRule((h) => perHead[h]!, compensation),
        60,
        () => ({ theta: { tensor: { shape: [4], dtype: 'f32', data: Float64Array.from(perHead) } } }),
      );
    });
  }
  for (const compensation of ['none', 'valueMean'] as const) {
    it(`θ per head and query row, ${compensation}`, () => {
      for (const queries of [1, 7, 13, 5]) {
        const theta = tensorRef('theta', [4, queries]);
        const data = Float64Array.from({ length: 4 * queries }, (_, n) =>
          perRow(Math.floor(n / queries), n % queries),
        );
        const keys = queries === 5 ? 11 : queries;
        const shape: CaseShape = { batch: 2, heads: 4, kvHeads: 2, queries, keys, headDim: 8, valueDim: 6 };
        const testCase = buildCase(
          shape,
          { mask: causal(), normalizer: topTheta({ threshold: theta, compensation }) },
          { theta: { tensor: { shape: [4, queries], dtype: 'f32', data } } },
          61,
        );
        const reference = referenceOf(testCase).output!;
        const dense = denseRowAttention(
          {
            shape,
            query: testCase.inputs.q!.data,
            key: testCase.inputs.k!.data,
            value: testCase.inputs.v!.data,
            keep: (_b, _h, i, j) => j <= i + keys - queries,
          },
          topThetaRule(perRow, compensation),
        );
        expectClose(reference, dense, { rtol: 1e-10, atol: 1e-12, label: `rows Nq=${queries}` });
        expectClose(decomposedOf(testCase).output!, reference, { rtol: 1e-9, atol: 1e-12 });
      }
    });
  }

  it('with θ below every score, every policy is plain softmax', () => {
    const shape: CaseShape = {
      batch: 1,
      heads: 4,
      kvHeads: 1,
      queries: 6,
      keys: 10,
      headDim: 8,
      valueDim: 4,
    };
    const theta = tensorRef('theta', [4]);
    const low = {
      theta: { tensor: { shape: [4], dtype: 'f32' as const, data: new Float64Array(4).fill(-100) } },
    };
    const plain = referenceOf(buildCase(shape, { mask: causal(), normalizer: softmax() }, {}, 7)).output!;
    for (const compensation of ['none', 'denominator', 'valueMean'] as const) {
      const pruned = buildCase(
        shape,
        { mask: causal(), normalizer: topTheta({ threshold: theta, compensation }) },
        low,
        7,
      );
      expectClose(referenceOf(pruned).output!, plain, { rtol: 1e-12, atol: 1e-14, label: compensation });
    }
  });

  it('names the block, the tensor and the dimension when θ has the wrong shape', () => {
    const shape: CaseShape = { batch: 1, heads: 4, kvHeads: 4, queries: 7, keys: 7, headDim: 8, valueDim: 4 };
    const wrongHeads = tensorRef('theta', [3]);
    const error = captureError(() =>
      buildCase(shape, { name: 'layer0.attn', normalizer: topTheta({ threshold: wrongHeads }) }, {}),
    );
    expect(error).toBeInstanceOf(SpecError);
    expect(error.context).toMatchObject({
      block: 'layer0.attn',
      tensor: 'theta',
      dimension: 0,
      expected: 4,
      actual: 3,
    });
    expect(error.message).toMatch(/layer0\.attn/);

    const rows = tensorRef('theta', [4, 7]);
    const bound = captureError(() =>
      buildCase(
        shape,
        { name: 'layer0.attn', normalizer: topTheta({ threshold: rows }) },
        { theta: { tensor: { shape: [4, 6], dtype: 'f32', data: new Float64Array(24).fill(0.1) } } },
      ),
    );
    expect(bound).toBeInstanceOf(ShapeError);
    expect(bound.context).toMatchObject({ block: 'layer0.attn', tensor: 'theta', dimension: 1 });
    expect(bound.message).toMatch(/layer0\.attn.*theta/);

    expect(() => topTheta({ threshold: tensorRef('theta', [4, 7, 2]) })).toThrow(
      /\[heads\] or \[heads, queries\]/,
    );
    expect(() => topTheta({ threshold: rows, compensation: 'estimate' as 'none' })).toThrow(/compensation/);
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
