import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { rowOf, weightedValues } from '../../test/dense-heads.js';
import { softGaussianKernelCatalogEntry } from './soft-gaussian-kernel-entry.js';

/**
 * f32 kernel vs float64. The expansion q·k − ½‖q‖² − ½‖k‖² cancels: terms near 2 leave distances
 * near 0 on the diagonal, an absolute error near 1e-7 in the exponent, well under this bound.
 */
const TOLERANCE = 1e-5;
/** Both float64: the expansion vs the direct ‖a − b‖² differ by rounding of terms near 2. */
const FLOAT64_TOLERANCE = 1e-12;

describe('SOFT Gaussian kernel attention, ratio 1 (catalog #83), on the device', () => {
  it('matches the float64 reference and the dense exp(−½‖q̂_i − q̂_j‖²) V with q̂ = q / d^(1/4)', async () => {
    const instance = softGaussianKernelCatalogEntry.build();
    const sizes = { batch: 1, heads: 4, queries: 24, keys: 24, headDim: 16, valueDim: 16 };
    const rows = { heads: 4, length: 24, dim: 16 };
    const check = await checkCatalogInstance(instance, (values) => {
      const scaledRow = (b: number, h: number, i: number) =>
        rowOf(values.q!, rows, b, h, i).map((x) => x / Math.sqrt(Math.sqrt(16)));
      const output = weightedValues(sizes, values.v!, (b, h, i) => {
        const query = scaledRow(b, h, i);
        return Array.from({ length: sizes.keys }, (_, j) => {
          const key = scaledRow(b, h, j);
          return Math.exp(-0.5 * query.reduce((total, x, d) => total + (x - key[d]!) ** 2, 0));
        });
      });
      return { output };
    });
    console.log('soft-gaussian-kernel', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    // Q / d^(1/4), its squared norms, then the attention op.
    expect(check.kernels).toBe(3);
  });
});
