import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseSoftNystrom } from '../../test/dense-soft-nystrom.js';
import { softNystromCatalogEntry } from '../catalog/soft-nystrom-entry.js';

/**
 * f32 kernels vs float64. Newton–Schulz is self-correcting (each step contracts the error of the
 * last), so B⁺ lands near f32 rounding; the output chains four matmuls of at most 36 terms.
 */
const TOLERANCE = 1e-5;
/** Float64: 20 Newton–Schulz steps from a well-conditioned start vs Gauss–Jordan, and the rest rounding. */
const FLOAT64_TOLERANCE = 1e-10;

describe('SOFT Nyström attention (catalog #83) on the device', () => {
  it('matches the float64 reference, and B⁺ and A·B⁺·(AᵀV) + DWConv₃ₓ₃(V) match a float64 inverse of B + 0.01I and direct conv sums', async () => {
    const instance = softNystromCatalogEntry.build();
    const check = await checkCatalogInstance(instance, (values) => {
      const { output, inverse } = denseSoftNystrom(values, {
        heads: 2,
        grid: [6, 6],
        dim: 16,
        ratio: 2,
        regularization: 0.01,
        valueConv: 3,
      });
      return { output, pseudoInverse: inverse };
    });
    console.log('soft-nystrom-attention', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    // Two matmuls per Newton–Schulz step, plus the landmarks, the kernels, the output products and the V conv.
    expect(check.kernels).toBeLessThanOrEqual(2 * 20 + 14);
  });
});
