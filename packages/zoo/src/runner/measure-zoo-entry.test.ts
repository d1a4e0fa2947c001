import { describe, expect, it } from 'vitest';
import { findZooEntry } from '../zoo.js';
import type { ZooEntry } from '../zoo-entry.js';
import { measureZooEntry } from './measure-zoo-entry.js';

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
    expect(result.madMs).toBeGreaterThanOrEqual(0);
    expect(result.madMs).toBeLessThanOrEqual(result.medianMs);
  });

  it('fails an entry whose tolerance is below the error it measures', async () => {
    const entry = findZooEntry('rms-norm')!;
    const strict: ZooEntry = { ...entry, tolerance: 1e-12 };
    const result = await measureZooEntry(strict, { device: 'cpu', warmupRuns: 0, timedRuns: 1 });
    expect(result.maxRelativeError).toBeGreaterThan(1e-12);
    expect(result.passed).toBe(false);
  });
});
