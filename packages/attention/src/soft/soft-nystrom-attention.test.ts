import { input, SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { newtonSchulzInverse } from './newton-schulz-inverse.js';
import { softNystromAttention } from './soft-nystrom-attention.js';

describe('softNystromAttention', () => {
  it('gives [batch, heads, N, dv] and an [m, m] inverse per head', () => {
    const { output, pseudoInverse } = softNystromAttention(
      input('q', [2, 3, 24, 8]),
      input('v', [2, 3, 24, 5]),
      {
        grid: [4, 6],
        ratio: 2,
      },
    );
    expect(output.shape).toEqual([2, 3, 24, 5]);
    expect(pseudoInverse.shape).toEqual([2, 3, 6, 6]);
  });

  it('names the block, the grid and the ratio in its errors', () => {
    const q = input('q', [1, 2, 36, 16]);
    const v = input('v', [1, 2, 36, 16]);
    expect(() => softNystromAttention(q, v, { grid: [5, 6], ratio: 2, name: 'blocks.0.soft' })).toThrow(
      /blocks\.0\.soft.*height·width/,
    );
    expect(() => softNystromAttention(q, v, { grid: [6, 6], ratio: 4 })).toThrow(SpecError);
    expect(() => softNystromAttention(q, v, { grid: [6, 6], ratio: 1 })).toThrow(/ratio/);
  });
});

describe('newtonSchulzInverse', () => {
  it('rejects a non-square matrix and a non-positive iteration count', () => {
    expect(() => newtonSchulzInverse(input('b', [2, 3, 4]))).toThrow(/\[\.\.\., m, m\]/);
    expect(() => newtonSchulzInverse(input('b', [3, 3]), { iterations: 0 })).toThrow(/iterations/);
  });
});
