import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { compileLandmarkBlock, runLandmarkSteps } from '../testing/landmark-block.js';
import { normwiseError } from '../testing/windowed-reference.js';

// f32 budget against float64: as the unpositioned block (softmaxes over ≤ 3 landmark scores and
// 3 keys of width 8, the gated sum), plus the RoPE of the query, the landmarks and the gathered
// keys at positions < 16 (angles reduced modulo one turn, ~1e-7 each). The retrieved blocks must
// match exactly: the float64 loops' smallest relative gap between the k-th and (k+1)-th landmark
// scores is checked to be far above it.
const TOLERANCE = 2e-5;

describe('landmark KV cache with stingy positions on the device', () => {
  it('retrieves and places the blocks of the float64 stingy loops; outputs within the f32 budget', async () => {
    const program = await compileLandmarkBlock(await getTestDevice(), 'stingy');
    const steps = await runLandmarkSteps(program, 15, 17, true);
    const errors: number[] = [];
    for (const step of steps) {
      const label = `position ${step.position}`;
      expect(step.simulated.margin, label).toBeGreaterThan(100 * TOLERANCE);
      expect(step.selected, label).toEqual(step.simulated.retrieved);
      errors.push(normwiseError(step.output, step.simulated.output));
    }
    const margins = steps.map((step) => step.simulated.margin);
    console.info(
      `landmark stingy block vs float64: output max ${Math.max(...errors).toExponential(1)}, smallest ` +
        `retrieval margin ${Math.min(...margins).toExponential(1)}, kernels ${program.kernels.length}`,
    );
    for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    program.destroy();
  }, 180_000);
});
