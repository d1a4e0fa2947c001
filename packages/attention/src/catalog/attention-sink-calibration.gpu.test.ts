import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseAttentionSinkCalibration } from '../../test/dense-attention-sink-calibration.js';
import { ACT_SHAPE, attentionSinkCalibrationCatalogEntry } from './attention-sink-calibration-entry.js';

/**
 * f32 kernels vs float64: softmax rows of at most 32 keys, column sums through a transposed
 * attention kernel and the mix of two attention outputs (measured near 1e-7).
 */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

describe('ACT attention-sink calibration (#25) on the device', () => {
  it('the catalog instance matches the float64 calibration written from the paper', async () => {
    const sizes = { ...ACT_SHAPE, calibratedHeads: [...ACT_SHAPE.calibratedHeads] };
    const check = await checkCatalogInstance(
      attentionSinkCalibrationCatalogEntry.build(),
      denseAttentionSinkCalibration(sizes),
    );
    console.log('attention-sink-calibration', check);
    // The sink table is integers: the device's must be the paper's exactly.
    expect(check.deviceVersusDense.sinks).toBe(0);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 240_000);
});
