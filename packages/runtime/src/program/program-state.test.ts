import { add, input, makeGraph, mul, sum } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';

// A running sum kept as persistent state: total ← total + x, and a read-out of its sum.
const x = input('x', [4]);
const total = input('total', [4]);
const next = add(total, mul(x, 2));
const graph = makeGraph({ total: next, size: sum(next, 0) });

describe('persistent state (CPU backend)', () => {
  it('carries an output into its input across runs, reads back only the selected outputs', async () => {
    const program = await compile(graph, { device: 'cpu', state: { total: 'total' } });
    await program.run({ x: [1, 2, 3, 4] });
    const second = await program.run({ x: [1, 1, 1, 1] }, { outputs: ['size'] });
    expect(Object.keys(second)).toEqual(['size']);
    expect(Array.from(second.size!.data)).toEqual([28]);
    program.resetState();
    const fresh = await program.run({ x: [1, 1, 1, 1] });
    expect(Array.from(fresh.total!.data)).toEqual([2, 2, 2, 2]);
  });

  it('rejects state entries that do not match', async () => {
    await expect(compile(graph, { device: 'cpu', state: { nope: 'total' } })).rejects.toThrow(
      /tensor "nope": a state entry names an unknown input/,
    );
    await expect(compile(graph, { device: 'cpu', state: { total: 'size' } })).rejects.toThrow(
      /must have the same dtype and shape/,
    );
  });
});
