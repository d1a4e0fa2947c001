import { input, makeGraph, runPipeline } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { applyAttention, attention, causal, softmax } from './index.js';
import { ATTENTION_OP } from './op/attention-attrs.js';

/** The attention kernels of the plan of attention with `outputs`, fused or not. */
function attentionKernels(queries: number, outputs: { logSumExp?: boolean; rowMax?: boolean }, fuse = true) {
  const spec = attention({
    heads: 4,
    kvHeads: 2,
    headDim: 16,
    mask: causal(),
    normalizer: softmax(),
    outputs,
  });
  const result = applyAttention(spec, {
    query: input('q', [1, 4, queries, 16]),
    key: input('k', [1, 2, 64, 16]),
    value: input('v', [1, 2, 64, 16]),
  });
  const graphOutputs = {
    output: result.output,
    ...(result.logSumExp === undefined ? {} : { logSumExp: result.logSumExp }),
    ...(result.rowMax === undefined ? {} : { rowMax: result.rowMax }),
  };
  const { plan } = runPipeline(makeGraph(graphOutputs), { fuse });
  return plan.kernels.filter((kernel) => kernel.template === ATTENTION_OP);
}

describe('the attention kernel writes its row statistics in the same pass', () => {
  for (const [name, queries] of [
    ['prefill', 64],
    ['decoding (split keys)', 1],
  ] as const) {
    it(`${name}: O with the log-sum-exp is one kernel (the unfused plan: two)`, () => {
      const fused = attentionKernels(queries, { logSumExp: true });
      expect(fused).toHaveLength(1);
      expect(fused[0]!.outputs).toHaveLength(2);
      expect(attentionKernels(queries, { logSumExp: true }, false)).toHaveLength(2);
    });
    it(`${name}: O, the log-sum-exp and the row max are one kernel (the unfused plan: three)`, () => {
      const fused = attentionKernels(queries, { logSumExp: true, rowMax: true });
      expect(fused).toHaveLength(1);
      expect(fused[0]!.outputs.map((node) => node.attrs.output)).toEqual(
        expect.arrayContaining(['output', 'logSumExp', 'rowMax']),
      );
      expect(attentionKernels(queries, { logSumExp: true, rowMax: true }, false)).toHaveLength(3);
    });
  }
  it('attention of different specs over the same tensors keeps a kernel each', () => {
    const query = input('q', [1, 4, 8, 16]);
    const key = input('k', [1, 4, 8, 16]);
    const value = input('v', [1, 4, 8, 16]);
    const first = applyAttention(attention({ heads: 4, headDim: 16, outputs: { logSumExp: true } }), {
      query,
      key,
      value,
    });
    const second = applyAttention(attention({ heads: 4, headDim: 16, mask: causal() }), {
      query,
      key,
      value,
    });
    const { plan } = runPipeline(makeGraph({ a: first.output, lse: first.logSumExp!, b: second.output }));
    expect(plan.kernels.map((kernel) => kernel.outputs.length).sort()).toEqual([1, 2]);
  });
});
