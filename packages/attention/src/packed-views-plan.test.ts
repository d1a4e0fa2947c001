import { input, makeGraph, matmul, param, permute, planFusion, reshape, slice } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { applyAttention, attention, causal } from './index.js';

const heads = (x: ReturnType<typeof input>, length: number, count: number, headDim: number) =>
  permute(reshape(x, [1, length, count, headDim]), [0, 2, 1, 3]);

describe('attention plans on packed [B, N, H·d] operands', () => {
  it('standalone attention over packed Q, K, V with merged-heads output is one kernel', () => {
    const { output } = applyAttention(attention({ heads: 2, headDim: 8, name: 'mha' }), {
      query: heads(input('q', [1, 16, 16]), 16, 2, 8),
      key: heads(input('k', [1, 16, 16]), 16, 2, 8),
      value: heads(input('v', [1, 16, 16]), 16, 2, 8),
    });
    const merged = reshape(permute(output, [0, 2, 1, 3]), [1, 16, 16]);
    const { kernels } = planFusion(makeGraph({ y: merged }));
    expect(kernels.map((kernel) => kernel.template)).toEqual(['attention']);
    const [kernel] = kernels;
    expect(kernel!.inputs.map((node) => node.attrs.name)).toEqual(['q', 'k', 'v']);
    expect(kernel!.outputs).toEqual([merged]);
    // The schedule lists the op's result; the view says where it lies.
    expect(kernel!.schedule.kind === 'opaque' && kernel!.schedule.outputs).toEqual([output]);
  });

  it('a fused QKV projection feeds attention through slices; the output projection reads merged heads', () => {
    const x = input('x', [1, 12, 16]);
    const qkv = matmul(x, param('wqkv', [16, 48]));
    const part = (index: number) =>
      heads(slice(qkv, [0, 0, 16 * index], [1, 12, 16 * (index + 1)]), 12, 2, 8);
    const { output } = applyAttention(attention({ heads: 2, headDim: 8, mask: causal(), name: 'attn' }), {
      query: part(0),
      key: part(1),
      value: part(2),
    });
    const y = matmul(reshape(permute(output, [0, 2, 1, 3]), [1, 12, 16]), param('wo', [16, 16]));
    const { kernels } = planFusion(makeGraph({ y }));
    expect(kernels.map((kernel) => kernel.template)).toEqual(['matmul', 'attention', 'matmul']);
    expect(kernels[0]!.outputs).toEqual([qkv]);
  });

  it('a result the graph also returns as it is keeps its own layout', () => {
    const { output } = applyAttention(attention({ heads: 2, headDim: 8, name: 'mha' }), {
      query: heads(input('q', [1, 4, 16]), 4, 2, 8),
      key: heads(input('k', [1, 4, 16]), 4, 2, 8),
      value: heads(input('v', [1, 4, 16]), 4, 2, 8),
    });
    const { kernels } = planFusion(
      makeGraph({ heads: output, merged: reshape(permute(output, [0, 2, 1, 3]), [1, 4, 16]) }),
    );
    expect(kernels.map((kernel) => kernel.template)).toEqual(['attention', 'elementwise']);
  });
});
