import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { compileHeavyHitterBlock, runHeavyHitterSteps, stepLengths } from '../testing/heavy-hitter-block.js';
import { normwiseError } from '../testing/windowed-reference.js';

// f32 budget against float64: one softmax row over ≤ 10 keys of width 8 and its accumulated
// probabilities (a few roundings each). The kept positions must match exactly: the simulation's
// smallest relative score gap between a kept and an evicted heavy hitter is far above it.
const TOLERANCE = 2e-5;

describe('heavy-hitter KV cache on the device', () => {
  it('keeps the positions of the float64 simulation per KV head at every step; outputs within the f32 budget', async () => {
    const program = await compileHeavyHitterBlock(await getTestDevice());
    const steps = await runHeavyHitterSteps(program, stepLengths(24), 31);
    const outputErrors: number[] = [];
    const scoreErrors: number[] = [];
    for (const step of steps) {
      const label = `length ${step.length}`;
      expect(step.kept, label).toEqual(step.simulated.kept);
      expect(step.simulated.margin, label).toBeGreaterThan(100 * TOLERANCE);
      outputErrors.push(normwiseError(step.output, step.simulated.output));
      for (const [g, scores] of step.scores.entries()) {
        scoreErrors.push(normwiseError(scores, step.simulated.scores[g]!));
      }
    }
    const margins = steps.map((step) => step.simulated.margin);
    console.info(
      `heavy-hitter block vs float64: output max ${Math.max(...outputErrors).toExponential(1)}, ` +
        `scores max ${Math.max(...scoreErrors).toExponential(1)}, smallest eviction margin ` +
        `${Math.min(...margins).toExponential(1)}, kernels ${program.kernels.length}`,
    );
    for (const error of [...outputErrors, ...scoreErrors]) expect(error).toBeLessThan(TOLERANCE);
    program.destroy();
  }, 120_000);
});
