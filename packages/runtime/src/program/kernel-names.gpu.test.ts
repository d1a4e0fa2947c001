import {
  add,
  input,
  makeGraph,
  makeNode,
  matmul,
  mean,
  mul,
  type OpDef,
  param,
  rsqrt,
  WeftError,
  withLabel,
} from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { KernelContext, type KernelExtension } from '@weft/wgsl';
import { describe, expect, it } from 'vitest';
import { getTestDevice } from '../testing/index.js';
import { compile } from './compile.js';

// An op whose template emits WGSL that does not compile: what a broken extension would do.
const brokenOp: OpDef = {
  name: 'test.broken-kernel',
  arity: 1,
  fusion: 'opaque',
  infer: (inputs) => inputs[0]!,
};
const broken: KernelExtension = {
  name: 'broken',
  ops: [brokenOp],
  templates: {
    'test.broken-kernel': (kernel, profile) =>
      new KernelContext(kernel, profile).build('test.broken-kernel', {
        workgroupSize: [1, 1, 1],
        workgroupCount: () => 1,
        body: ['let broken: f32 = no_such_value;'],
      }),
  },
};

describe("kernels are named after the user's blocks on a real device", () => {
  it('stats and profile rows name the block of each kernel', async () => {
    const x = input('x', [4, 16]);
    const normalized = withLabel('layers.3.norm', () =>
      mul(x, rsqrt(add(mean(mul(x, x), -1, { keepDims: true }), 1e-6))),
    );
    const up = withLabel('layers.3.mlp.up', () => matmul(normalized, param('layers.3.mlp.wUp', [16, 8])));
    const program = await compile(makeGraph({ up, normalized }), {
      device: await getTestDevice(),
      params: { 'layers.3.mlp.wUp': randomTensor([16, 8], { seed: 1 }).data },
    });
    expect(program.stats.perKernel.map((row) => row.label)).toContain('layers.3.mlp.up · matmul');
    expect(program.stats.perKernel.find((row) => row.template === 'matmul')?.block).toBe('layers.3.mlp.up');
    const profile = await program.profile({ x: randomTensor([4, 16], { seed: 2 }).data });
    expect(profile.kernels.map((row) => row.block)).toContain('layers.3.mlp.up');
    expect(profile.kernels.map((row) => row.label)).toEqual(program.stats.perKernel.map((row) => row.label));
    program.destroy();
  });

  it('a kernel that fails to compile is named, with its block, in the error', async () => {
    const weft = await getTestDevice();
    const y = withLabel('layers.7.broken', () => makeNode(brokenOp, [input('x', [4])]));
    const failure = await compile(makeGraph({ y }), { device: weft, extensions: [broken] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(WeftError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain(
      'block "layers.7.broken": kernel 0 "layers.7.broken · test.broken-kernel"',
    );
  });
});
