import { describe, expect, it } from 'vitest';
import { findZooEntry } from '../zoo.js';
import type { ZooEntry } from '../zoo-entry.js';
import { maxRelativeError } from './max-relative-error.js';
import { measureZooEntry } from './measure-zoo-entry.js';
import { median } from './median.js';

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

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('measureZooEntry on the CPU backend', () => {
  it('reports the plan, a float32-rounding-sized error and timed runs', async () => {
    const entry = findZooEntry('layer-norm')!;
    const result = await measureZooEntry(entry, { device: 'cpu', warmupRuns: 1, timedRuns: 5 });
    expect(result).toMatchObject({
      id: 'layer-norm',
      backend: 'cpu',
      kernels: 1,
      timedRuns: 5,
      passed: true,
    });
    // The CPU backend rounds float64 results to f32: at most half an ulp of an O(1) value.
    expect(result.maxRelativeError).toBeGreaterThan(0);
    expect(result.maxRelativeError).toBeLessThan(2e-7);
    expect(result.medianMs).toBeGreaterThan(0);
  });

  it('fails an entry whose tolerance is below the error it measures', async () => {
    const entry = findZooEntry('rms-norm')!;
    const strict: ZooEntry = { ...entry, tolerance: 1e-12 };
    const result = await measureZooEntry(strict, { device: 'cpu', warmupRuns: 0, timedRuns: 1 });
    expect(result.maxRelativeError).toBeGreaterThan(1e-12);
    expect(result.passed).toBe(false);
  });
});
