import { describe, expect, it } from 'vitest';
import { symbolicDim } from '../dim.js';
import { makeGraph } from '../graph/graph.js';
import { matmul } from '../ops/matmul-op.js';
import { permute } from '../ops/permute-op.js';
import { reshape } from '../ops/reshape-op.js';
import { slice } from '../ops/slice-op.js';
import { input, param } from '../ops/source-ops.js';
import { planFusion } from './fusion-planner.js';
import { operandView, resultView, type StrideTerm } from './strided-view.js';

const text = (terms: readonly StrideTerm[]) =>
  terms.map((term) =>
    [term.coefficient, ...term.factors.map((dim) => (typeof dim === 'number' ? dim : dim.name))].join('*'),
  );

describe('strided views of reshapes, permutes and slices', () => {
  it('packed [B, N, H·d] heads as [B, H, N, d]: strides (N·H·d, d, H·d, 1)', () => {
    const x = input('x', [2, 5, 3 * 4]);
    const view = operandView(permute(reshape(x, [2, 5, 3, 4]), [0, 2, 1, 3]))!;
    expect(view.base).toBe(x);
    expect(text(view.strides)).toEqual(['60', '4', '12', '1']);
    expect(view.offset).toEqual([]);
  });

  it('a slice of a fused QKV projection adds its start to the offset; symbolic lengths stay symbolic', () => {
    const n = symbolicDim('n', { max: 9 });
    const qkv = input('qkv', [2, n, 3 * 8]);
    const key = permute(reshape(slice(qkv, [0, 0, 8], [2, 9, 16]), [2, n, 2, 4]), [0, 2, 1, 3]);
    const view = operandView(key)!;
    expect(view.base).toBe(qkv);
    expect(text(view.offset)).toEqual(['8']);
    expect(text(view.strides)).toEqual(['24*n', '4', '24', '1']);
  });

  it('merging axes that are not contiguous is no view', () => {
    const x = input('x', [2, 3, 4]);
    expect(operandView(reshape(permute(x, [1, 0, 2]), [6, 4]))).toBeUndefined();
  });

  it('a result written as merged heads: [B, H, N, d] into [B, N, H·d]', () => {
    const o = input('o', [2, 3, 5, 4]);
    const swapped = permute(o, [0, 2, 1, 3]);
    const merged = reshape(swapped, [2, 5, 12]);
    const view = resultView(o, [swapped, merged])!;
    expect(view.base).toBe(merged);
    expect(text(view.strides)).toEqual(['60', '4', '12', '1']);
  });

  it('ops without the view hooks keep reading views as tensors of their own', () => {
    // A matmul is no opaque op: its operand view stays a prologue (unchanged planning).
    const x = input('x', [4, 6]);
    const plan = planFusion(makeGraph({ y: matmul(permute(x, [1, 0]), param('w', [4, 3])) }));
    expect(plan.kernels.map((kernel) => kernel.template)).toEqual(['matmul']);
  });
});
