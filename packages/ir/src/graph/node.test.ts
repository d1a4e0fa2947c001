import { describe, expect, it } from 'vitest';
import { full } from '../ops/source-ops.js';

describe('hash-consing', () => {
  it('returns the same node for structurally equal builds and keeps distinct special values apart', () => {
    expect(full(2, [3])).toBe(full(2, [3]));
    const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0].map((value) =>
      full(value, [2]),
    );
    expect(new Set(specials.map((node) => node.hash)).size).toBe(5);
  });
});
