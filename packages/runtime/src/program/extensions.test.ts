import { input, makeGraph, makeNode, type OpDef, UnsupportedError } from '@weft/ir';
import { DEFAULT_DEVICE_PROFILE, KernelContext, type KernelExtension } from '@weft/wgsl';
import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { generateGraphKernels } from './generate-kernels.js';

// An opaque extension op: twice its operand, with a reference and a template of its own.
const twiceOp: OpDef = {
  name: 'test.twice',
  arity: 1,
  fusion: 'opaque',
  infer: (inputs) => inputs[0]!,
  evaluate: ([x]) => ({ ...x!, data: x!.data.map((value) => 2 * value) }),
};
const twice: KernelExtension = {
  name: 'twice',
  ops: [twiceOp],
  templates: {
    'test.twice': (kernel, profile) =>
      new KernelContext(kernel, profile).build('test.twice', {
        workgroupSize: [1, 1, 1],
        workgroupCount: () => 1,
        body: [],
      }),
  },
};

describe('extensions in compile', () => {
  const graph = makeGraph({ y: makeNode(twiceOp, [input('x', [4])]) });

  it('code generation takes them; without them it names the op', () => {
    expect(() => generateGraphKernels(graph, DEFAULT_DEVICE_PROFILE)).toThrow(UnsupportedError);
    expect(() => generateGraphKernels(graph, DEFAULT_DEVICE_PROFILE)).toThrow(/op "test.twice"/);
    const { kernels } = generateGraphKernels(graph, DEFAULT_DEVICE_PROFILE, { extensions: [twice] });
    expect(kernels).toHaveLength(1);
  });

  it('the CPU backend needs none: it evaluates each node through its own definition', async () => {
    const program = await compile(graph, { device: 'cpu' });
    expect(Array.from((await program.run({ x: [1, 2, 3, 4] })).y!.data)).toEqual([2, 4, 6, 8]);
    program.destroy();
  });
});
