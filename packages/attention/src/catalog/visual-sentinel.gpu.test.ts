import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseVisualSentinel } from '../../test/dense-visual-sentinel.js';
import { visualSentinelCatalogEntry } from './visual-sentinel-entry.js';

/** f32 kernels vs float64: additive scores of size ≤ 16, rows of 13 slots, β in (0, 1); ~1e-6 measured. */
const TOLERANCE = 2e-5;
/** Both float64: the log-sum-exp merge vs the (k + 1)-slot softmax differ by rounding only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('visual sentinel (catalog #108) on the device', () => {
  it('matches the float64 reference and the dense ĉ = β s + (1 − β) c with α̂ = softmax([z; z_s])', async () => {
    const check = await checkCatalogInstance(visualSentinelCatalogEntry.build(), denseVisualSentinel);
    console.log('visual-sentinel', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    // Three projections, the attention op, the sentinel logit (matmul, tanh, matmul) and the merge's
    // elementwise kernels: the slot is merged after the kernel, not inside it.
    expect(check.kernels).toBe(10);
  }, 120_000);
});
