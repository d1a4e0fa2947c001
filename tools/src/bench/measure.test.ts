import { describe, expect, it } from 'vitest';
import { summarizeTimes } from './measure.js';

describe('summarizeTimes', () => {
  it('takes the middle sample of an odd count, whatever the order', () => {
    expect(summarizeTimes([9, 1, 5]).medianMs).toBe(5);
    expect(summarizeTimes([7]).medianMs).toBe(7);
  });

  it('averages the two middle samples of an even count', () => {
    expect(summarizeTimes([4, 1, 3, 10]).medianMs).toBe(3.5);
  });

  it('reports the minimum, the nearest-rank 90th percentile and the samples in run order', () => {
    const samples = [10, 2, 8, 4, 6, 1, 9, 3, 7, 5];
    const timing = summarizeTimes(samples);
    expect(timing.minMs).toBe(1);
    expect(timing.p90Ms).toBe(9);
    expect(timing.samplesMs).toEqual(samples);
    expect(summarizeTimes([3, 1, 2]).p90Ms).toBe(3);
  });

  it('is not moved by one outlier, unlike the mean', () => {
    expect(summarizeTimes([5, 5.2, 4.9, 5.1, 500]).medianMs).toBe(5.1);
  });

  it('refuses an empty list', () => {
    expect(() => summarizeTimes([])).toThrow(RangeError);
  });
});
