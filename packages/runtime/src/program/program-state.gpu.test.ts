import { add, input, makeGraph, mul, sum } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { getTestDevice } from '../testing/index.js';
import { compile } from './compile.js';

describe('persistent state on the GPU', () => {
  it('keeps a state tensor on the device across runs, same as the CPU backend', async () => {
    const weft = await getTestDevice();
    const x = input('x', [4]);
    const total = input('total', [4]);
    const next = add(total, mul(x, 2));
    const graph = makeGraph({ total: next, size: sum(next, 0) });
    const program = await compile(graph, { device: weft, state: { total: 'total' } });
    await program.run({ x: [1, 2, 3, 4] });
    const second = await program.run({ x: [1, 1, 1, 1] }, { outputs: ['size'] });
    expect(Object.keys(second)).toEqual(['size']);
    expect(Array.from(second.size!.data)).toEqual([28]);
    // An explicitly given state input overrides the kept value.
    const given = await program.run({ x: [0, 0, 0, 1], total: [5, 5, 5, 5] });
    expect(Array.from(given.total!.data)).toEqual([5, 5, 5, 7]);
    program.resetState();
    const fresh = await program.run({ x: [1, 1, 1, 1] });
    expect(Array.from(fresh.total!.data)).toEqual([2, 2, 2, 2]);
    program.destroy();
  });
});
