import { describe, expect, it } from 'vitest';
import { maxRelativeError } from './max-relative-error.js';

describe('maxRelativeError', () => {
  it('divides the largest absolute difference by the largest reference magnitude', () => {
    expect(maxRelativeError([1, -3.5, 0.25], [1, -4, 0.5])).toBeCloseTo(0.5 / 4, 12);
  });

  it('is zero for an exact result and infinite for NaN or a wrong length', () => {
    expect(maxRelativeError(new Float32Array([0.5, 2]), new Float64Array([0.5, 2]))).toBe(0);
    expect(maxRelativeError([Number.NaN, 1], [1, 1])).toBe(Number.POSITIVE_INFINITY);
    expect(maxRelativeError([1], [1, 2])).toBe(Number.POSITIVE_INFINITY);
  });
});
