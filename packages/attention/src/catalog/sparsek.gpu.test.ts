import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseSparseK } from '../../test/dense-sparsek.js';
import { SPARSEK_SHAPE, sparseKCatalogEntry } from './sparsek-entry.js';

/**
 * f32 kernels vs float64: softmax rows of at most 64 keys and a threshold τ found by bisection in
 * f32 down to a bracket one ulp wide (which moves m by about 1e-7).
 */
const TOLERANCE = 1e-5;
/** Float64 both sides, τ exact on both (the threshold op's breakpoint walk, the formula's interpolation). */
const FLOAT64_TOLERANCE = 1e-12;

describe('SparseK attention (#86) on the device', () => {
  it('the catalog instance matches the float64 formula written from the paper', async () => {
    const check = await checkCatalogInstance(sparseKCatalogEntry.build(), denseSparseK(SPARSEK_SHAPE));
    console.log('sparsek attention', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 600_000);
});
