import {
  add,
  gelu,
  input,
  isSourceTensor,
  makeGraph,
  matmul,
  param,
  runPipeline,
  symbolicDim,
} from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { bufferLayout, locate } from './buffer-layout.js';

const seq = symbolicDim('seq', { max: 8 });
const x = input('x', [seq, 16]);
const h = add(matmul(x, param('w', [16, 16])), param('b', [16]));
const graph = makeGraph({ y: gelu(add(matmul(h, param('w2', [16, 16])), x)), h });

describe('bufferLayout', () => {
  for (const fuse of [true, false]) {
    it(`cuts the memory plan into sources and arena (fuse: ${fuse})`, () => {
      const { memory } = runPipeline(graph, { fuse, alignment: 256 });
      const layout = bufferLayout(memory);
      expect(layout.arenaBase % 256).toBe(0);
      const buffers = { sources: 'sources', arena: 'arena' } as unknown as {
        sources: GPUBuffer;
        arena: GPUBuffer;
      };
      let computed = 0;
      for (const slot of memory.slots.values()) {
        const where = locate(layout, slot, buffers);
        if (isSourceTensor(slot.node)) {
          expect(where.buffer).toBe(buffers.sources);
          expect(where.offset + slot.bytes).toBeLessThanOrEqual(layout.sourceBytes);
        } else {
          computed++;
          expect(where.buffer).toBe(buffers.arena);
          expect(where.offset).toBeGreaterThanOrEqual(0);
          expect(where.offset + slot.bytes).toBeLessThanOrEqual(memory.arenaBytes - layout.arenaBase);
        }
      }
      expect(computed).toBeGreaterThan(0);
    });
  }
});
