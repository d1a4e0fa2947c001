import { expectClose } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { buildCase, decomposedOf, referenceOf } from '../test/attention-case.js';
import { rope } from './index.js';
import { gridPosition, ropeTurns } from './op/rope-turns.js';

describe('RoPE edge numerics (float64)', () => {
  it('grid positions use floor for negative positions', () => {
    expect(gridPosition(-1, 4)).toEqual([-1, 3]);
    expect(gridPosition(-8, 4)).toEqual([-2, 0]);
    expect(gridPosition(5, 4)).toEqual([1, 1]);
  });

  it('2-D RoPE with more queries than keys: the decomposition agrees with the reference', () => {
    const testCase = buildCase(
      { batch: 1, heads: 2, kvHeads: 2, queries: 24, keys: 16, headDim: 16, valueDim: 8 },
      { positions: rope({ dims: 2, grid: [4, 4] }) },
    );
    expectClose(decomposedOf(testCase).output!, referenceOf(testCase).output!, { rtol: 1e-9, atol: 1e-12 });
  });

  it('the split turn frequencies sum to θ^(−2i/r)/(2π) and make p·hi, p·mid exact in f32 below 2^16', () => {
    const turns = ropeTurns({ base: 10_000, rotaryDims: 64, layout: 'half', grid: null });
    for (let i = 0; i < 32; i++) {
      const exact = 10_000 ** (-i / 32) / (2 * Math.PI);
      expect(Math.abs(turns.hi[i]! + turns.mid[i]! + turns.lo[i]! - exact)).toBeLessThan(exact * 2 ** -38);
      for (const part of [turns.hi[i]!, turns.mid[i]!])
        expect(Math.fround(65_535 * part)).toBe(65_535 * part);
    }
  });
});
