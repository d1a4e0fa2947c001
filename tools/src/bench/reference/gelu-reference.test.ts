import { describe, expect, it } from 'vitest';
import { erf, geluReference } from './gelu-reference.js';

describe('erf', () => {
  it('matches tabulated values on both branches to 1e-13', () => {
    const table: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.9, 0.9999589021219005],
      [3.5, 0.9999992569016276],
      [4.5, 0.9999999998033839],
    ];
    for (const [x, expected] of table) {
      expect(Math.abs(erf(x) - expected)).toBeLessThan(1e-13);
      expect(Math.abs(erf(-x) + expected)).toBeLessThan(1e-13);
    }
  });

  it('gives GELU its known values', () => {
    expect(geluReference(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(geluReference(-1)).toBeCloseTo(-0.15865525393145707, 14);
  });
});
