import { describe, expect, it } from 'vitest';
import { makeGraph } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import { add, div, mul, sub } from '../ops/binary-ops.js';
import { matmul } from '../ops/matmul-op.js';
import { permute } from '../ops/permute-op.js';
import { max, mean, sum } from '../ops/reduce-ops.js';
import { reshape } from '../ops/reshape-op.js';
import { cumsum } from '../ops/scan-op.js';
import { input, param } from '../ops/source-ops.js';
import { exp, gelu, relu, rsqrt } from '../ops/unary-ops.js';
import { planFusion } from './fusion-planner.js';
import type { Kernel } from './kernel-plan.js';

const x = input('x', [8, 16]);

function only(graph: ReturnType<typeof makeGraph>): Kernel {
  const { kernels } = planFusion(graph);
  expect(kernels).toHaveLength(1);
  return kernels[0]!;
}

describe('kernel schedules', () => {
  it('a row kernel names its domain, its reductions in order and where each output lies', () => {
    const shifted = exp(sub(x, max(x, -1, { keepDims: true })));
    const total = sum(shifted, -1, { keepDims: true });
    const kernel = only(makeGraph({ y: div(shifted, total) }));
    expect(kernel.schedule.kind).toBe('row');
    if (kernel.schedule.kind !== 'row') return;
    expect(kernel.schedule.domain).toMatchObject({ input: [8, 16], axes: [1], trailing: true });
    expect(kernel.schedule.reductions.map((node) => node.attrs.fn)).toEqual(['max', 'sum']);
    expect(kernel.schedule.outputs.map((output) => output.placement)).toEqual(['element']);
  });

  it('places per-row outputs with and without the reduced axes', () => {
    const rows = only(makeGraph({ y: sum(mul(x, x), -1) }));
    const kept = only(makeGraph({ y: mean(x, -1, { keepDims: true }) }));
    expect(rows.schedule).toMatchObject({ kind: 'row', outputs: [{ placement: 'row' }] });
    expect(kept.schedule).toMatchObject({ kind: 'row', outputs: [{ placement: 'row-kept' }] });
  });

  it('a reduction over leading axes is a reduce kernel with a non-trailing domain', () => {
    const kernel = only(makeGraph({ y: sum(relu(x), 0) }));
    expect(kernel.schedule).toMatchObject({ kind: 'reduce', domain: { axes: [0], trailing: false } });
    if (kernel.schedule.kind !== 'reduce') return;
    expect(kernel.schedule.outputs.map((output) => output.placement)).toEqual(['row']);
  });

  it('a matmul kernel carries its epilogue layouts and its prologue row statistics', () => {
    const rms = mul(x, rsqrt(add(mean(mul(x, x), -1, { keepDims: true }), 1e-6)));
    const product = matmul(rms, param('w', [16, 8]));
    const heads = permute(reshape(gelu(product), [8, 2, 4]), [1, 0, 2]);
    const kernel = only(makeGraph({ heads }));
    expect(kernel.schedule.kind).toBe('matmul');
    if (kernel.schedule.kind !== 'matmul') return;
    const { layouts, epilogue, rowStatistics } = kernel.schedule;
    expect(kernel.schedule.matmul).toBe(product);
    expect(epilogue.map((node) => node.op)).toEqual(['unary', 'reshape', 'permute']);
    // gelu shares the matmul's layout; the reshape and the permute place their elements.
    expect(layouts?.get(epilogue[0]!)).toBe(product);
    expect(layouts?.get(epilogue[1]!)).toBe(epilogue[1]);
    expect(layouts?.get(heads)).toBe(heads);
    expect(kernel.schedule.epilogueOutputs).toEqual([heads]);
    expect(kernel.schedule.prologueOutputs).toEqual([]);
    // The mean of x², then 1/sqrt(mean + eps) per row.
    expect(rowStatistics.map((statistic) => statistic.fn)).toEqual(['mean', 'row', 'row']);
  });

  it('an elementwise kernel iterates over its anchor; an opaque kernel reads its operands', () => {
    const scaled = mul(x, 2);
    const { kernels } = planFusion(makeGraph({ y: cumsum(scaled, -1) }));
    expect(kernels.map((kernel) => kernel.schedule.kind)).toEqual(['elementwise', 'opaque']);
    expect(kernels[0]!.schedule).toEqual({ kind: 'elementwise', shape: [8, 16] });
    const scan = kernels[1]!;
    expect(scan.schedule).toEqual({
      kind: 'opaque',
      op: scan.anchor,
      operands: [kernels[0]!.outputs[0] as Node],
      outputs: [scan.anchor],
      views: new Map(),
    });
  });
});
