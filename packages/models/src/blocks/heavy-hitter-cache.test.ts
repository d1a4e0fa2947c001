import { describe, expect, it } from 'vitest';
import {
  BLOCK,
  compileHeavyHitterBlock,
  runHeavyHitterSteps,
  stepLengths,
} from '../testing/heavy-hitter-block.js';
import { heavyHitterLayout } from './heavy-hitter-kv-cache.js';

/** max|a − b| / max|b|. */
function normwise(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return difference / scale;
}

describe('heavy-hitter KV cache (CPU float64 backend)', () => {
  it('keeps, per KV head, the positions the float64 simulation keeps at every step, past the capacity', async () => {
    const program = await compileHeavyHitterBlock('cpu');
    const steps = await runHeavyHitterSteps(program, stepLengths(24), 31);
    let evictedSomewhere = false;
    let headsDiffer = false;
    for (const step of steps) {
      const label = `length ${step.length}`;
      expect(step.kept, label).toEqual(step.simulated.kept);
      // The float64 interpreter against a float64 simulation; results come back rounded to f32.
      expect(normwise(step.output, step.simulated.output), label).toBeLessThan(1e-6);
      step.scores.forEach((scores, g) => {
        expect(normwise(scores, step.simulated.scores[g]!), label).toBeLessThan(1e-6);
      });
      const slots = BLOCK.heavy + BLOCK.recent;
      expect(
        step.kept.every((kept) => kept.length === Math.min(step.length, slots)),
        label,
      ).toBe(true);
      // Past the capacity, the heavy hitters are not simply the oldest positions.
      if (step.kept.some((kept) => kept.slice(0, BLOCK.heavy).some((p, i) => p !== i)))
        evictedSomewhere = true;
      if (JSON.stringify(step.kept[0]) !== JSON.stringify(step.kept[1])) headsDiffer = true;
    }
    expect(evictedSomewhere).toBe(true);
    expect(headsDiffer).toBe(true);
    program.destroy();
  });

  it('refuses invalid layouts, naming the field', () => {
    expect(() => heavyHitterLayout(2, 0, 4)).toThrow(/recent must be an integer ≥ 1/);
    expect(() => heavyHitterLayout(1.5, 2, 4)).toThrow(/heavy must be an integer ≥ 0/);
    expect(() => heavyHitterLayout(2, 2, 0)).toThrow(/stepTokens must be an integer ≥ 1/);
  });
});
