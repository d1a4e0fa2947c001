import { describe, expect, it } from 'vitest';
import { makeGraph } from '../graph/graph.js';
import { matmul } from '../ops/matmul-op.js';
import { input, param } from '../ops/source-ops.js';
import { exp, tanh } from '../ops/unary-ops.js';
import { planFusion } from './fusion-planner.js';
import { halfStoredBytes, halfStoredTensors } from './half-storage.js';
import { planMemory } from './memory-planner.js';

// An unfused chain: every op a kernel, every tensor between kernels an f32 intermediate; a narrow output.
function chain(rows: number, width: number) {
  const x = input('x', [rows, width]);
  const w = param('w', [width, width]);
  const graph = makeGraph({ y: matmul(exp(matmul(tanh(x), w)), param('v', [width, 2])) });
  return planFusion(graph, { fuse: false });
}

describe('f16 storage in the memory plan', () => {
  it('stores the f32 intermediates and parameters, never graph inputs or outputs', () => {
    const plan = chain(16, 64);
    const stored = [...halfStoredTensors(plan)];
    expect(stored.filter((node) => node.op === 'param').map((node) => node.attrs.name)).toEqual(['w', 'v']);
    expect(stored.filter((node) => node.op !== 'param')).toHaveLength(plan.kernels.length - 1);
    for (const node of stored) {
      expect(node.op).not.toBe('input');
      expect(Object.values(plan.graph.outputs)).not.toContain(node);
    }
  });

  it('halves the intermediates, the parameters and the arena above the sources (bytes ≈ half)', () => {
    const plan = chain(64, 128);
    const full = planMemory(plan, { alignment: 256 });
    const half = planMemory(plan, { alignment: 256, halfStorage: true });
    const bytesOf = (memory: typeof full, role: string) =>
      [...memory.slots.values()]
        .filter((slot) => slot.role === role)
        .reduce((sum, slot) => sum + slot.bytes, 0);
    expect(bytesOf(half, 'intermediate')).toBe(bytesOf(full, 'intermediate') / 2);
    expect(bytesOf(half, 'param')).toBe(bytesOf(full, 'param') / 2);
    for (const role of ['input', 'output']) expect(bytesOf(half, role)).toBe(bytesOf(full, role));
    // The sources: x in f32; w and v in f32 (full) or f16 (half), each at a 256-byte boundary.
    const fullSources = 64 * 128 * 4 + 128 * 128 * 4 + 128 * 2 * 4;
    const halfSources = 64 * 128 * 4 + 128 * 128 * 2 + 512;
    // Above the sources: two [64, 128] intermediates live at once (the small output reuses a dead
    // one's bytes): 2 × 32 KiB in f32, 2 × 16 KiB in f16.
    expect(full.arenaBytes - fullSources).toBe(2 * 64 * 128 * 4);
    expect(half.arenaBytes - halfSources).toBe(2 * 64 * 128 * 2);
    for (const slot of half.slots.values()) {
      const halved = slot.role === 'intermediate' || slot.role === 'param';
      expect(slot.halfStored === true, `${slot.node.op} ${slot.role}`).toBe(halved);
    }
    expect([...full.slots.values()].some((slot) => slot.halfStored !== undefined)).toBe(false);
  });

  it('rounds an odd element count up to whole 4-byte words', () => {
    expect(halfStoredBytes(input('x', [3, 5]))).toBe(32);
    expect(halfStoredBytes(input('x', [1]))).toBe(4);
    expect(halfStoredBytes(input('x', [2, 4]))).toBe(16);
    const plan = chain(3, 5);
    const memory = planMemory(plan, { alignment: 4, halfStorage: true });
    for (const slot of memory.slots.values()) {
      // The [3, 5] intermediates: 8 words; the [5, 5] weight w: 13 words; the [5, 2] weight v: 5.
      const elements = slot.node.shape.reduce<number>((product, dim) => product * Number(dim), 1);
      if (slot.halfStored === true) expect(slot.bytes).toBe(Math.ceil(elements / 2) * 4);
    }
    expect(
      [...memory.slots.values()].filter((slot) => slot.role === 'param').map((slot) => slot.bytes),
    ).toEqual([52, 20]);
  });
});
