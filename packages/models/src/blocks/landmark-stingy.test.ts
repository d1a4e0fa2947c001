import { alibi, landmarkRetrieval, rope } from '@weft/attention';
import { input } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { landmark } from '../generate/cache-policy.js';
import { compileLandmarkBlock, LANDMARK_BLOCK, runLandmarkSteps } from '../testing/landmark-block.js';
import { normwiseError } from '../testing/windowed-reference.js';
import { landmarkCacheLayout } from './landmark-kv-cache.js';

describe('landmark KV cache with stingy positions (CPU float64 backend)', () => {
  it('places retrieved blocks as the float64 stingy loops do, token by token', async () => {
    const program = await compileLandmarkBlock('cpu', 'stingy');
    const { blockSize, topK } = LANDMARK_BLOCK;
    const steps = await runLandmarkSteps(program, 15, 17, true);
    let moved = false;
    let worst = 0;
    for (const step of steps) {
      const label = `position ${step.position}`;
      expect(step.selected, label).toEqual(step.simulated.retrieved);
      const error = normwiseError(step.output, step.simulated.output);
      worst = Math.max(worst, error);
      expect(error, label).toBeLessThan(1e-6);
      // A block older than the latest topK is moved into the segment before the current block.
      const current = Math.floor(step.position / blockSize);
      if (step.selected.some((blocks) => blocks.some((g) => g < current - topK))) moved = true;
    }
    console.info(`landmark stingy block vs float64 stingy loops: max ${worst.toExponential(1)}`);
    expect(moved).toBe(true);
    program.destroy();
  });

  it('differs from the exact placement once a block is complete, and equals it within the first block', async () => {
    const stingy = await compileLandmarkBlock('cpu', 'stingy');
    const exact = await compileLandmarkBlock('cpu', 'exact');
    const a = await runLandmarkSteps(stingy, 12, 17);
    const b = await runLandmarkSteps(exact, 12, 17);
    const gaps = a.map((step, i) => normwiseError(step.output, b[i]!.output));
    for (const gap of gaps.slice(0, LANDMARK_BLOCK.blockSize)) expect(gap).toBeLessThan(1e-6);
    console.info(`landmark stingy vs exact placement: max gap ${Math.max(...gaps).toExponential(1)}`);
    expect(Math.max(...gaps.slice(LANDMARK_BLOCK.blockSize))).toBeGreaterThan(1e-2);
    stingy.destroy();
    exact.destroy();
  });

  it('refuses unknown placements and non-RoPE stingy positions, naming the field', () => {
    expect(() => landmark(3, 2, { positions: 'near' as 'exact' })).toThrow(
      /positions must be 'stingy' or 'exact'/,
    );
    expect(landmark(3, 2).positions).toBe('stingy');
    expect(() => landmarkCacheLayout(3, 2, 8, 'near' as 'exact')).toThrow(/positions must be/);
    const query = input('q', [1, 2, 1, 8]);
    const key = input('k', [1, 2, 8, 8]);
    const position = input('p', [1], 'i32');
    const retrieve = (stingyRope: unknown) =>
      landmarkRetrieval(
        { query, key, value: key, position },
        { blockSize: 3, topK: 1, stingyRope: stingyRope as ReturnType<typeof rope> },
      );
    expect(() => retrieve(alibi())).toThrow(/option "stingyRope" must be a 1-D rope\(\)/);
    expect(() => retrieve(rope({ dims: 2, grid: [2, 4] }))).toThrow(/stingyRope/);
    expect(() => retrieve(rope())).not.toThrow();
  });
});
