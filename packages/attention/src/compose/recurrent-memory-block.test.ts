import { input, SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { recurrentMemoryBlock } from './recurrent-memory-block.js';

describe('recurrentMemoryBlock', () => {
  it('returns the output and the next memory bank in the shapes of its inputs', () => {
    const { output, memory, summary } = recurrentMemoryBlock(
      input('x', [2, 12, 16]),
      input('m', [2, 3, 16]),
      {
        heads: 2,
        chunk: 4,
      },
    );
    expect(output.shape).toEqual([2, 12, 16]);
    expect(memory.shape).toEqual([2, 3, 16]);
    expect(summary.shape).toEqual([2, 1, 16]);
  });

  it('names the block and tensor when the memory does not fit x', () => {
    expect(() =>
      recurrentMemoryBlock(input('x', [2, 12, 16]), input('m', [2, 3, 8]), {
        heads: 2,
        chunk: 4,
        name: 'mem0',
      }),
    ).toThrow(/recurrentMemoryBlock "mem0": memory must be \[2, slots, 16\]/);
  });

  it('refuses heads that leave an odd head dim (RoPE rotates pairs) and unknown options', () => {
    expect(() =>
      recurrentMemoryBlock(input('x', [1, 4, 12]), input('m', [1, 2, 12]), { heads: 4, chunk: 2 }),
    ).toThrow(SpecError);
    expect(() =>
      recurrentMemoryBlock(input('x', [1, 4, 16]), input('m', [1, 2, 16]), {
        heads: 2,
        chunk: 2,
        slots: 3,
      } as never),
    ).toThrow(/slots/);
  });
});
