import { describe, expect, it } from 'vitest';
import { resolveDim, symbolicDim } from './dim.js';
import { WeftError } from './errors.js';

describe('symbolic dims', () => {
  it('resolve within their maximum and reject out-of-range bindings with a named error', () => {
    const seq = symbolicDim('seq', { max: 8 });
    expect(resolveDim(seq, { seq: 5 })).toBe(5);
    expect(() => resolveDim(seq, { seq: 9 })).toThrowError(/dim seq: symbolic dim bound out of range/);
    try {
      resolveDim(seq, {});
    } catch (error) {
      expect(WeftError.isInstance(error)).toBe(true);
    }
  });
});
