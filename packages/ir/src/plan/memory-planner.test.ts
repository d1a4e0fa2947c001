import { describe, expect, it } from 'vitest';
import { SpecError } from '../errors.js';
import { makeGraph } from '../graph/graph.js';
import { add } from '../ops/binary-ops.js';
import { matmul } from '../ops/matmul-op.js';
import { input, param } from '../ops/source-ops.js';
import { exp, tanh } from '../ops/unary-ops.js';
import { planFusion } from './fusion-planner.js';
import { planMemory } from './memory-planner.js';

describe('planMemory', () => {
  const x = input('x', [4, 64]);

  it('reuses the bytes of intermediates that are no longer live', () => {
    // Unfused chain x -> a -> b -> c -> d: each intermediate dies after its one reader.
    const a = exp(x);
    const b = tanh(a);
    const c = exp(b);
    const graph = makeGraph({ d: tanh(c) });
    const memory = planMemory(planFusion(graph, { fuse: false }), { alignment: 256 });
    const slot = (node: typeof a) => memory.slots.get(node)!;
    expect([slot(x).role, slot(a).role, slot(graph.outputs.d!).role]).toEqual([
      'input',
      'intermediate',
      'output',
    ]);
    expect([slot(a).liveFrom, slot(a).liveTo, slot(b).liveFrom, slot(b).liveTo]).toEqual([0, 1, 1, 2]);
    expect(slot(c).offset).toBe(slot(a).offset); // a is dead when c is written
    expect(memory.unsharedBytes).toBe(5 * 1024);
    // Live at kernel 1: x, a, b (3 KiB); never more.
    expect(memory.arenaBytes).toBe(3 * 1024);
    expect(memory.peakLiveBytes).toBe(3 * 1024);
  });

  it('keeps parameters and graph outputs live for the whole program', () => {
    const w = param('w', [64, 8]);
    const y = add(matmul(exp(x), w), 1);
    const plan = planFusion(makeGraph({ y }), { fuse: false });
    const memory = planMemory(plan);
    expect(plan.kernels.length).toBe(3);
    expect(memory.slots.get(w)).toMatchObject({ role: 'param', liveFrom: 0, liveTo: 2, bytes: 64 * 8 * 4 });
    expect(memory.slots.get(y)).toMatchObject({ role: 'output', liveFrom: 2, liveTo: 2 });
  });

  it('aligns every offset and sizes tensors at the dims maxima', () => {
    const odd = input('odd', [3], 'f16');
    const memory = planMemory(planFusion(makeGraph({ y: add(exp(odd), odd), z: tanh(odd) })), {
      alignment: 64,
    });
    for (const slot of memory.slots.values()) expect(slot.offset % 64).toBe(0);
    expect(memory.slots.get(odd)!.bytes).toBe(6);
    expect(memory.arenaBytes % 64).toBe(0);
  });

  it('rejects an alignment that is not a power of two', () => {
    expect(() => planMemory(planFusion(makeGraph({ y: exp(x) })), { alignment: 48 })).toThrow(SpecError);
  });
});
