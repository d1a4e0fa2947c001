import { SpecError, tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { lightningDecay, lightningSlopes } from './lightning-decay.js';

describe('lightningSlopes', () => {
  it('is the ALiBi schedule 2^(−8(h+1)/H) times the layer factor', () => {
    expect(lightningSlopes(4, 0, 2)).toEqual([0.25, 0.0625, 0.015625, 0.00390625].map((s) => s * 1.00001));
    const last = lightningSlopes(8, 3, 4);
    for (const [h, slope] of last.entries()) expect(slope).toBeCloseTo(2 ** -(h + 1) * 1e-5, 20);
  });

  it('takes every other slope of the next power of two for extra heads (Press et al.)', () => {
    const slopes = lightningSlopes(6, 1, 3).map((slope) => slope / (1 - 1 / 2 + 1e-5));
    const expected = [2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8, 2 ** -1, 2 ** -3];
    for (const [h, slope] of slopes.entries()) expect(slope).toBeCloseTo(expected[h]!, 14);
  });

  it('rejects a layer outside [0, layers) and fewer than 2 layers', () => {
    expect(() => lightningSlopes(4, 2, 2)).toThrow(SpecError);
    expect(() => lightningSlopes(4, 0, 1)).toThrow(/layers >= 2/);
    expect(() => lightningSlopes(0, 0, 2)).toThrow(/heads/);
  });
});

describe('lightningDecay', () => {
  it('rejects a slope tensor that is not [heads] f32', () => {
    expect(() => lightningDecay(tensorRef('slopes', [2, 4]))).toThrow(/\[heads\] f32/);
  });
});
