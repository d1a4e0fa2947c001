import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseAdaptiveFilter } from '../../test/dense-adaptive-filter.js';
import { adaptiveFilterCatalogEntry } from './adaptive-filter-entry.js';

/**
 * f32 kernels vs float64 (measured 1.8e-7 on A V, 3.7e-7 pulled forward; head 0 takes the μ → 0
 * branch): scores τ²(−log V − log(1 + |R|²/S)) of size ~5 from |R|² ~ 10 (the expansion
 * ‖Q̃‖² + E²‖K̃‖² − 2E·dot cancels about one digit in f32), rows of ≤ 24 keys, and the
 * pulled-forward output rescaled by exp(lse' − lse) and rotated back.
 */
const TOLERANCE = 2e-5;
/** Both float64: the expanded residual and two-kernel pull-forward vs the dense per-pair loops. */
const FLOAT64_TOLERANCE = 1e-12;

describe('Attention as an Adaptive Filter (catalog #20) on the device', () => {
  it('matches the float64 reference and the dense isotropic AFA score, causal softmax, values pulled forward', async () => {
    const check = await checkCatalogInstance(adaptiveFilterCatalogEntry.build(), (values) =>
      denseAdaptiveFilter(values, { heads: 4, length: 24, dim: 16 }, 'afa'),
    );
    console.log('adaptive-filter-attention', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    // Two attention kernels (A V with its lse; the decayed log-weights over the rotated values), the
    // rest IR kernels: rotations, norms, softplus, the rescale with the rotation back.
    expect(check.kernels).toBe(7);
  }, 180_000);
});
