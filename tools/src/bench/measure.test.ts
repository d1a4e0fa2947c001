import { describe, expect, it } from 'vitest';
import { measure, summarizeTimes } from './measure.js';

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

describe('measure', () => {
  it('runs warm-up runs untimed, then the timed repeats', async () => {
    let calls = 0;
    const timing = await measure(async () => calls++, { warmup: 2, repeats: 5 });
    expect(calls).toBe(7);
    expect(timing.samplesMs).toHaveLength(5);
  });

  it('stops early past its budget, after at least three timed runs', async () => {
    let calls = 0;
    const slowRun = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const timing = await measure(slowRun, { warmup: 0, repeats: 50, budgetMs: 1 });
    expect(timing.samplesMs).toHaveLength(3);
    expect(calls).toBe(3);
    expect(timing.minMs).toBeGreaterThanOrEqual(4);
  });

  it('calls before ahead of every run and leaves its time out of the samples', async () => {
    const events: string[] = [];
    const timing = await measure(async () => events.push('run'), {
      warmup: 1,
      repeats: 2,
      before: async () => {
        events.push('before');
        await new Promise((resolve) => setTimeout(resolve, 30));
      },
    });
    expect(events).toEqual(['before', 'run', 'before', 'run', 'before', 'run']);
    for (const sample of timing.samplesMs) expect(sample).toBeLessThan(25);
  });
});
