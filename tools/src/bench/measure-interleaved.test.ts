import { describe, expect, it } from 'vitest';
import type { Timing } from './measure.js';
import { type InterleavedResult, measureInterleaved } from './measure-interleaved.js';

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
    expect(timingOf(other).samplesMs).toHaveLength(4);
  });
});

function timingOf(result: InterleavedResult | undefined): Timing {
  if (result === undefined || !('timing' in result))
    throw new Error(`expected a timing, got ${String(result)}`);
  return result.timing;
}
