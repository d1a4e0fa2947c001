import { add, exp, gather, InputError, input, makeGraph, type Node, param, symbolicDim } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { getTestDevice } from '../testing/index.js';
import { compile } from './compile.js';

describe('robustness on the device', () => {
  it('16 fused outputs compile (split across kernels) and match the CPU backend', async () => {
    let value: Node = exp(input('x', [64]));
    const outputs: Record<string, Node> = {};
    for (let i = 0; i < 16; i++) {
      value = add(value, i + 1);
      outputs[`z${i}`] = value;
    }
    const graph = makeGraph(outputs);
    const x = Float32Array.from({ length: 64 }, (_, i) => i / 64);
    const gpu = await compile(graph, { device: await getTestDevice() });
    const cpu = await compile(graph, { device: 'cpu' });
    const [a, b] = await Promise.all([gpu.run({ x }), cpu.run({ x })]);
    for (let i = 0; i < 16; i++) {
      const name = `z${i}`;
      a[name]!.data.forEach((v, j) => {
        expect(v).toBeCloseTo(b[name]!.data[j]!, 4);
      });
    }
    gpu.destroy();
  });

  it('an out-of-range gather index is refused on the host before dispatch', async () => {
    const seq = symbolicDim('seq', { max: 4 });
    const graph = makeGraph({ y: gather(param('table', [4, 2]), input('ids', [seq], 'i32')) });
    const program = await compile(graph, {
      device: await getTestDevice(),
      params: { table: [0, 1, 2, 3, 4, 5, 6, 7] },
    });
    await expect(program.run({ ids: [1, 100] }, { dims: { seq: 2 } })).rejects.toThrow(InputError);
    await expect(program.run({ ids: [1, 100] }, { dims: { seq: 2 } })).rejects.toThrow(
      /tensor "ids".*0\.\.3.*got 100/,
    );
    const { y } = await program.run({ ids: [3, 0] }, { dims: { seq: 2 } });
    expect(Array.from(y!.data)).toEqual([6, 7, 0, 1]);
    program.destroy();
  });
});
