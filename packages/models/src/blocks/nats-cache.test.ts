import { describe, expect, it } from 'vitest';
import { stepLengths } from '../testing/heavy-hitter-block.js';
import { compileNatsCacheBlock, NATS_BLOCK, runNatsCacheSteps } from '../testing/nats-cache-block.js';
import { normwiseError } from '../testing/windowed-reference.js';
import { natsCacheLayout } from './nats-kv-cache.js';

/** Global rarer than Local and SlidingWindow tokens, so Local keys live across steps and then go. */
const MIXED: [number, number, number] = [-0.5, 0, 0.2];
/** Every token Global: nothing is ever evicted. */
const ALL_GLOBAL: [number, number, number] = [10, 0, 0];

describe('NAtS KV cache (CPU float64 backend)', () => {
  it('keeps, per KV head, exactly the positions a later query can see, at every step', async () => {
    const program = await compileNatsCacheBlock('cpu');
    const steps = await runNatsCacheSteps(program, stepLengths(24), 5, MIXED);
    let evicted = 0;
    let headsDiffer = false;
    for (const step of steps) {
      const label = `length ${step.length}`;
      expect(step.kept, label).toEqual(step.simulated.live);
      // The float64 interpreter against a float64 simulation; results come back rounded to f32.
      expect(normwiseError(step.output, step.simulated.output), label).toBeLessThan(1e-6);
      evicted = Math.max(evicted, step.length - Math.min(...step.kept.map((kept) => kept.length)));
      if (JSON.stringify(step.kept[0]) !== JSON.stringify(step.kept[1])) headsDiffer = true;
    }
    const last = steps[steps.length - 1]!;
    console.info(
      `NAtS cache after 24 positions: live keys per KV head ${last.kept.map((k) => k.length).join(', ')}`,
    );
    expect(evicted).toBeGreaterThan(8);
    expect(headsDiffer).toBe(true);
    program.destroy();
  });

  it('with every token Global it keeps every position and is plain causal attention', async () => {
    const program = await compileNatsCacheBlock('cpu');
    const steps = await runNatsCacheSteps(program, stepLengths(NATS_BLOCK.capacity), 6, ALL_GLOBAL);
    for (const step of steps) {
      const all = Array.from({ length: step.length }, (_, p) => p);
      expect(step.kept).toEqual([all, all]);
      expect(normwiseError(step.output, step.simulated.output)).toBeLessThan(1e-6);
    }
    program.destroy();
  });

  it('refuses invalid layouts, naming the field', () => {
    expect(() => natsCacheLayout(0, 2, 4)).toThrow(/capacity must be an integer ≥ 1/);
    expect(() => natsCacheLayout(8, -1, 4)).toThrow(/window must be an integer ≥ 0/);
    expect(() => natsCacheLayout(8, 2, 0)).toThrow(/stepTokens must be an integer ≥ 1/);
  });
});
