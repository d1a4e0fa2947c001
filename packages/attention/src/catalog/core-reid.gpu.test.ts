import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseCoreReid } from '../../test/dense-core-reid.js';
import { coreReidCatalogEntry } from './core-reid-entry.js';

/**
 * f32 kernels vs float64: six small matmuls and a sigmoid for the gate, pooled sums over 32 positions,
 * a 98-tap convolution and products of gates in (0, 1): 2.1e-7 measured.
 */
const TOLERANCE = 1e-5;
/** Both float64: the IR ops vs the dense loops, rounding only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('CORE-ReID ECAB and CBAM spatial attention (catalog #6) on the device', () => {
  it('matches the float64 reference and the dense y = x ⊙ w(GMP + GAP), out = y ⊙ σ(conv7×7([mean_c; max_c]))', async () => {
    const check = await checkCatalogInstance(coreReidCatalogEntry.build(), (values) =>
      denseCoreReid(values, { batch: 2, channels: 64, height: 8, width: 4 }),
    );
    console.log('core-reid-channel-spatial', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    // IR kernels only (no attention op): the two pooled branches through six matmuls each, the
    // channel statistics, the 7×7 convolution and the gating products.
    expect(check.kernels).toBe(20);
  }, 180_000);
});
