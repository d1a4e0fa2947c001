import { describe, expect, it } from 'vitest';
import { type InterleavedResult, measureInterleaved, type Timing } from './measure-interleaved.js';

/** The median written out here, independently of tinybench: the middle value, or the mean of the middle two. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

describe('measureInterleaved', () => {
  it('runs the contenders in rounds whose order rotates, each the asked number of times', async () => {
    const order: string[] = [];
    const contender = (name: string) => ({ run: async () => order.push(name) });
    const timings = await measureInterleaved([contender('a'), contender('b'), contender('c')], {
      repeats: 3,
    });
    expect(order).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
    expect(timings.map((result) => ('timing' in result ? result.timing.samplesMs.length : 0))).toEqual([
      3, 3, 3,
    ]);
  });

  it('drops a slow contender past its budget after three runs while the others go on', async () => {
    let slowCalls = 0;
    let fastCalls = 0;
    const slow = {
      run: async () => {
        slowCalls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    };
    const fast = { run: async () => fastCalls++ };
    const [slowResult, fastResult] = await measureInterleaved([slow, fast], { repeats: 8, budgetMs: 1 });
    expect(slowCalls).toBe(3);
    expect(timingOf(slowResult).minMs).toBeGreaterThanOrEqual(4);
    // The fast contender spends far less than 1 ms per run: it stays for all its repeats.
    expect(fastCalls).toBe(8);
    expect(timingOf(fastResult).samplesMs).toHaveLength(8);
  });

  it('calls before ahead of every run and leaves its time out of the samples', async () => {
    const events: string[] = [];
    const [result] = await measureInterleaved(
      [
        {
          run: async () => events.push('run'),
          before: async () => {
            events.push('before');
            await new Promise((resolve) => setTimeout(resolve, 30));
          },
        },
      ],
      { repeats: 2 },
    );
    expect(events).toEqual(['before', 'run', 'before', 'run']);
    for (const sample of timingOf(result).samplesMs) expect(sample).toBeLessThan(25);
  });

  it('reports the median, the spread and the count of the runs it took', async () => {
    const delays = [4, 1, 7, 2, 9, 3, 5];
    let call = 0;
    const [result] = await measureInterleaved(
      [{ run: () => new Promise((resolve) => setTimeout(resolve, delays[call++ % delays.length])) }],
      { repeats: delays.length },
    );
    const timing = timingOf(result);
    expect(timing.runs).toBe(7);
    expect(timing.samplesMs).toHaveLength(7);
    // The statistics are of the samples taken, recomputed here independently of tinybench.
    expect(timing.medianMs).toBeCloseTo(median(timing.samplesMs), 9);
    const deviations = timing.samplesMs.map((sample) => Math.abs(sample - timing.medianMs));
    expect(timing.madMs).toBeCloseTo(median(deviations), 9);
    expect(timing.minMs).toBe(Math.min(...timing.samplesMs));
    expect(timing.maxMs).toBe(Math.max(...timing.samplesMs));
  });

  it('reports each finished run to onRun with the total', async () => {
    const seen: string[] = [];
    await measureInterleaved([{ run: async () => 0 }, { run: async () => 0 }], {
      repeats: 2,
      onRun: (done, total) => seen.push(`${done}/${total}`),
    });
    expect(seen).toEqual(['1/4', '2/4', '3/4', '4/4']);
  });

  it('takes a contender whose run throws out of the rounds and reports its error', async () => {
    let failingCalls = 0;
    let otherCalls = 0;
    const failing = {
      run: async () => {
        failingCalls++;
        throw new Error('device lost');
      },
    };
    const [failed, other] = await measureInterleaved([failing, { run: async () => otherCalls++ }], {
      repeats: 4,
    });
    expect(failingCalls).toBe(1);
    expect(otherCalls).toBe(4);
    expect(failed).toEqual({ error: new Error('device lost') });
    expect(timingOf(other).runs).toBe(4);
    expect(timingOf(other).samplesMs).toHaveLength(4);
  });
});

function timingOf(result: InterleavedResult | undefined): Timing {
  if (result === undefined || !('timing' in result))
    throw new Error(`expected a timing, got ${String(result)}`);
  return result.timing;
}
