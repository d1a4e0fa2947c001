import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { stepLengths } from '../testing/heavy-hitter-block.js';
import { compileLteCacheBlock, runLteCacheSteps } from '../testing/lte-cache-block.js';
import { normwiseError } from '../testing/windowed-reference.js';

// f32 budget against float64: one softmax row over ≤ 12 keys of width 8. The cached positions must
// match exactly: they follow from comparisons of f32 logits, the same values on both sides.
const TOLERANCE = 2e-5;

describe('LTE KV cache on the device', () => {
  it('keeps the positions of the float64 simulation per KV head at every step; outputs within the f32 budget', async () => {
    const program = await compileLteCacheBlock(await getTestDevice(), 4);
    const steps = await runLteCacheSteps(program, stepLengths(26), { seed: 7, budget: 4, logitBias: 0.3 });
    const errors: number[] = [];
    for (const step of steps) {
      expect(step.kept, `length ${step.length}`).toEqual(step.simulated.live);
      errors.push(normwiseError(step.output, step.simulated.output));
    }
    console.info(
      `LTE cache block vs float64: output max ${Math.max(...errors).toExponential(1)}, kernels ${program.kernels.length}`,
    );
    for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    program.destroy();
  }, 300_000);
});
