import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseNestedAttention } from '../../test/dense-nested-attention.js';
import { nestedAttentionCatalogEntry } from './nested-attention-entry.js';

/** f32 kernels vs float64: scaled dot products below 3, rows of 11 and 6 keys; ~1e-7 measured. */
const TOLERANCE = 1e-5;
/** Both float64: the log-sum-exp merge vs one softmax over 11 keys differ by rounding only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('nested attention (catalog #68) on the device', () => {
  it('matches the float64 reference and the dense Σ_{j≠s*} a_ij V_j + a_{i,s*} v*_i, exporting a_{i,s*}', async () => {
    const check = await checkCatalogInstance(nestedAttentionCatalogEntry.build(), denseNestedAttention);
    console.log('nested-attention', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    // The nested and outer attention ops, the subject logit and the merge's elementwise kernels.
    expect(check.kernels).toBe(8);
  }, 120_000);
});
