import { decomposeExtensionOps, input, interpret, tensorRef } from '@weft/ir';
import { expectClose } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { COLUMN_SUM_CASES, columnSumCase } from '../test/column-sum-case.js';
import { attention, attentionColumnSums, causal, keySelection, rope, sigmoid } from './index.js';

describe('attentionColumnSums: c_j = Σ_i p_ij through the transposed attention (float64)', () => {
  COLUMN_SUM_CASES.forEach(({ label }, index) => {
    it(`${label}: the op reference and the decomposition match the dense column sums of A`, () => {
      const testCase = columnSumCase(index);
      const values = { inputs: testCase.inputs, params: testCase.inputs, dims: testCase.dims };
      const reference = interpret(testCase.graph, values).columnSums!;
      const decomposed = interpret(decomposeExtensionOps(testCase.graph), values).columnSums!;
      expectClose(reference, testCase.dense, { rtol: 1e-10, atol: 1e-12, label });
      expectClose(decomposed, testCase.dense, { rtol: 1e-9, atol: 1e-12, label: `${label} (decomposed)` });
      // Not trivial: the sums differ across keys, and they add up to the number of rows (less the sink's share).
      const total = testCase.dense.reduce((a, x) => a + x, 0);
      expect(total).toBeGreaterThan(0);
      expect(new Set(Array.from(testCase.dense, (x) => x.toFixed(6))).size).toBeGreaterThan(
        testCase.dense.length / 2,
      );
    });
  });

  it('rejects what cannot be transposed, naming the block', () => {
    const query = input('q', [1, 2, 6, 8]);
    const key = input('k', [1, 2, 6, 8]);
    const logSumExp = input('lse', [1, 2, 6]);
    const of = (options: Parameters<typeof attention>[0]) =>
      attentionColumnSums(attention({ name: 'layers.0.attn', ...options }), { query, key, logSumExp });
    expect(() => of({ heads: 2, headDim: 8, normalizer: sigmoid() })).toThrow(
      /layers\.0\.attn.*softmax only/,
    );
    expect(() => of({ heads: 2, headDim: 8, positions: rope() })).toThrow(/positions "rope"/);
    expect(() => of({ heads: 2, headDim: 8, mask: keySelection(tensorRef('m', [1, 6], 'i32')) })).toThrow(
      /reads tensors/,
    );
    expect(() => of({ heads: 2, headDim: 8, mask: causal() })).not.toThrow();
  });
});
