import { describe, expect, it } from 'vitest';
import { buildCase, expectReferenceAgrees } from '../test/attention-case.js';
import { naiveAttention } from '../test/naive-attention.js';
import { alibi, causal } from './index.js';

const SHAPE = { batch: 1, heads: 4, kvHeads: 4, queries: 5, keys: 9, headDim: 8, valueDim: 4 };
const slope = (h: number) => 2 ** ((-8 * (h + 1)) / 4);

function dense(
  testCase: ReturnType<typeof buildCase>,
  bias: (h: number, p: number, j: number) => number,
  keepAll = true,
) {
  return naiveAttention({
    ...SHAPE,
    query: testCase.inputs.q!.data,
    key: testCase.inputs.k!.data,
    value: testCase.inputs.v!.data,
    bias: (_b, h, i, j) => bias(h, i + SHAPE.keys - SHAPE.queries, j),
    ...(keepAll
      ? {}
      : { keep: (_b: number, _h: number, i: number, j: number) => j <= i + SHAPE.keys - SHAPE.queries }),
  }).output;
}

describe('ALiBi bias forms', () => {
  it("default 'symmetric': −m·|p − k| for every key", () => {
    const testCase = buildCase(SHAPE, { positions: alibi() });
    expectReferenceAgrees(
      testCase,
      dense(testCase, (h, p, j) => -slope(h) * Math.abs(p - j)),
      'symmetric',
    );
  });

  it("'causal': m·(k − p), positive for keys after the query (the original ALiBi code)", () => {
    const testCase = buildCase(SHAPE, { positions: alibi({ form: 'causal' }) });
    expectReferenceAgrees(
      testCase,
      dense(testCase, (h, p, j) => slope(h) * (j - p)),
      'causal form',
    );
  });

  it('both forms agree under a causal mask', () => {
    const symmetric = buildCase(SHAPE, { positions: alibi(), mask: causal() });
    const causalForm = buildCase(SHAPE, { positions: alibi({ form: 'causal' }), mask: causal() });
    const expected = dense(symmetric, (h, p, j) => -slope(h) * Math.abs(p - j), false);
    expectReferenceAgrees(symmetric, expected, 'symmetric causal');
    expectReferenceAgrees(causalForm, expected, 'causal form causal');
  });

  it('rejects an unknown form', () => {
    expect(() => alibi({ form: 'left' as never })).toThrow(/alibi: unknown form/);
  });
});
