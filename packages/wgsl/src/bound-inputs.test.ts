import { concat, exp, gather, input, type Node, param, withLabel } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { makeKernel } from '../test/kernel-fixtures.js';
import { generateKernel } from './generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE, type GeneratedKernel } from './generated-kernel.js';
import { SharedKernelRenderer } from './kernel-sharing/shared-kernels.js';
import { unreadIdentifiers } from './testing/wgsl-lint.js';

/**
 * `exp` of rows `rows` of `table`: a gather from a one-row table reads row 0 whatever the index,
 * so once the index is simplified the kernel never reads `rows`.
 */
function gatherFromOneRow(label: string): { output: Node; table: Node; rows: Node } {
  return withLabel(label, () => {
    const table = param(`${label}.table`, [1, 8]);
    const rows = input(`${label}.rows`, [3], 'i32');
    return { output: exp(gather(table, rows, 0)), table, rows };
  });
}

/** Each storage binding's tensors, by user name (or op), in binding order. */
function boundTensors(generated: GeneratedKernel): string[][] {
  return generated.bindings.flatMap((binding) =>
    binding.kind === 'storage'
      ? [binding.tensors.map((tensor) => String(tensor.attrs.name ?? tensor.op))]
      : [],
  );
}

describe('a kernel binds only the inputs its body reads', () => {
  test('a gather whose index simplifies away does not bind the index tensor', () => {
    const { output, table, rows } = gatherFromOneRow('pick');
    const kernel = makeKernel('elementwise', [output], [table, rows]);
    const generated = generateKernel(kernel, DEFAULT_DEVICE_PROFILE);
    expect(generated.kernel.inputs).toEqual([table, rows]);
    expect(boundTensors(generated)).toEqual([['pick.table'], ['unary']]);
    expect(generated.bindings.map((binding) => binding.binding)).toEqual([0, 1]);
    expect(generated.wgsl).not.toMatch(/pick_rows/);
    expect(generated.wgsl).toMatch(/@binding\(0\) var<storage, read> in_pick_table: array<f32>;/);
    expect(generated.wgsl).toMatch(/@binding\(1\) var<storage, read_write> out_pick: array<f32>;/);
    expect(unreadIdentifiers(generated.wgsl)).toEqual([]);
  });

  test('a kernel reading every input binds them all, in input order', () => {
    const low = input('low', [2, 8]);
    const high = input('high', [2, 8]);
    const rows = input('rows', [3], 'i32');
    const output = exp(gather(concat([low, high], 0), rows, 0));
    const generated = generateKernel(
      makeKernel('elementwise', [output], [low, high, rows]),
      DEFAULT_DEVICE_PROFILE,
    );
    expect(boundTensors(generated)).toEqual([['low'], ['high'], ['rows'], ['unary']]);
    expect(unreadIdentifiers(generated.wgsl)).toEqual([]);
  });

  test('kernels sharing one rendering leave out the same input, each its own', () => {
    let rendered = 0;
    const renderer = new SharedKernelRenderer(DEFAULT_DEVICE_PROFILE, {}, (kernel) => {
      rendered++;
      return { generated: generateKernel(kernel, DEFAULT_DEVICE_PROFILE), template: 'elementwise' };
    });
    const kernels = ['layers.0.pick', 'layers.1.pick'].map((label) => {
      const { output, table, rows } = gatherFromOneRow(label);
      return makeKernel('elementwise', [output], [table, rows]);
    });
    const shared = kernels.map((kernel) => renderer.generate(kernel));
    expect(rendered).toBe(1);
    expect(shared.map(boundTensors)).toEqual([
      [['layers.0.pick.table'], ['unary']],
      [['layers.1.pick.table'], ['unary']],
    ]);
    for (const [index, kernel] of kernels.entries()) {
      expect(shared[index]!.wgsl).toBe(generateKernel(kernel, DEFAULT_DEVICE_PROFILE).wgsl);
      expect(shared[index]!.bindings.map((binding) => binding.binding)).toEqual([0, 1]);
    }
  });
});
