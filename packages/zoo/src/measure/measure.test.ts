import { describe, expect, it } from 'vitest';
import { maxRelativeError } from './max-relative-error.js';

describe('maxRelativeError', () => {
  it('is the largest difference over the largest reference magnitude', () => {
    expect(maxRelativeError([1, 2.5, -4.1], [1, 2, -4])).toBeCloseTo(0.5 / 4, 15);
    expect(maxRelativeError([0, 0], [0, 0])).toBe(0);
    expect(maxRelativeError([1e-3], [0])).toBe(Number.POSITIVE_INFINITY);
  });

  it('is NaN for an unmatched NaN or a length mismatch, and ignores matching NaNs', () => {
    expect(maxRelativeError([Number.NaN, 1], [1, 1])).toBeNaN();
    expect(maxRelativeError([1], [1, 2])).toBeNaN();
    expect(maxRelativeError([Number.NaN, 1.5], [Number.NaN, 1])).toBeCloseTo(0.5, 15);
  });
});
