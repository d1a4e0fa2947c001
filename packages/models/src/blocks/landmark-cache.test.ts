import { describe, expect, it } from 'vitest';
import { compileLandmarkBlock, LANDMARK_BLOCK, runLandmarkSteps } from '../testing/landmark-block.js';
import { normwiseError } from '../testing/windowed-reference.js';
import { landmarkCacheLayout } from './landmark-kv-cache.js';

describe('landmark KV cache (CPU float64 backend)', () => {
  it('retrieves the blocks and computes the grouped softmax of the float64 paper loops, token by token', async () => {
    const program = await compileLandmarkBlock('cpu');
    const { blockSize, topK, kvHeads, headDim } = LANDMARK_BLOCK;
    const steps = await runLandmarkSteps(program, 15, 17);
    let choseOlder = false;
    let worst = 0;
    for (const step of steps) {
      const label = `position ${step.position}`;
      expect(step.selected, label).toEqual(step.simulated.retrieved);
      // The float64 interpreter against the float64 loops; outputs come back rounded to f32.
      const error = normwiseError(step.output, step.simulated.output);
      worst = Math.max(worst, error);
      expect(error, label).toBeLessThan(1e-6);
      const complete = Math.floor((step.position + 1) / blockSize);
      if (step.selected.some((blocks) => blocks.length === topK && blocks.some((g) => g < complete - topK)))
        choseOlder = true;
    }
    console.info(`landmark cache block vs float64 paper loops: max ${worst.toExponential(1)}`);
    // Retrieval is by score: some head picks a block older than the latest topK.
    expect(choseOlder).toBe(true);
    // Each block before the last token's block holds the mean of its keys in its landmark slot (a
    // block's landmark is written when the next block opens).
    const last = steps.at(-1)!;
    const { capacity } = landmarkCacheLayout(blockSize, topK, LANDMARK_BLOCK.maxSeq);
    for (let g = 0; g < kvHeads; g++) {
      for (let block = 0; block < Math.floor(14 / blockSize); block++) {
        const rows = last.keys[g]!.slice(block * blockSize, (block + 1) * blockSize);
        const mean = Array.from(
          { length: headDim },
          (_, c) => rows.reduce((t, r) => t + r[c]!, 0) / blockSize,
        );
        const slot = (g * capacity + block * (blockSize + 1) + blockSize) * headDim;
        expect(normwiseError(last.keyCache.slice(slot, slot + headDim), mean)).toBeLessThan(1e-6);
      }
    }
    program.destroy();
  });

  it('refuses invalid layouts, naming the field', () => {
    expect(() => landmarkCacheLayout(0, 2, 8)).toThrow(/blockSize must be an integer ≥ 1/);
    expect(() => landmarkCacheLayout(4, 1.5, 8)).toThrow(/topK must be an integer ≥ 1/);
  });
});
