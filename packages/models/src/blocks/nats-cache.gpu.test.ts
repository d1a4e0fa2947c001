import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { stepLengths } from '../testing/heavy-hitter-block.js';
import { compileNatsCacheBlock, runNatsCacheSteps } from '../testing/nats-cache-block.js';
import { normwiseError } from '../testing/windowed-reference.js';

// f32 budget against float64: one softmax row over ≤ 24 keys of width 8. The live positions must
// match exactly: they follow from the type argmax of f32-rounded logits, the same on both sides.
const TOLERANCE = 2e-5;

describe('NAtS KV cache on the device', () => {
  it('keeps the live positions of the float64 simulation per KV head at every step; outputs within the f32 budget', async () => {
    const program = await compileNatsCacheBlock(await getTestDevice());
    const steps = await runNatsCacheSteps(program, stepLengths(24), 5, [-0.5, 0, 0.2]);
    const errors: number[] = [];
    for (const step of steps) {
      expect(step.kept, `length ${step.length}`).toEqual(step.simulated.live);
      errors.push(normwiseError(step.output, step.simulated.output));
    }
    console.info(
      `NAtS cache block vs float64: output max ${Math.max(...errors).toExponential(1)}, kernels ${program.kernels.length}`,
    );
    for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    program.destroy();
  }, 300_000);
});
