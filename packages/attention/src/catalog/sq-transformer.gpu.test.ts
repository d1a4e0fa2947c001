import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseSal } from '../../test/dense-sq-transformer.js';
import { sqTransformerCatalogEntry } from './sq-transformer-entry.js';

/**
 * f32 kernels vs float64 (2.1e-7 measured on the output, 1.5e-7 on the relative mass): scores of
 * size ~2 over rows of 24 keys, outputs of size ~1 summed over 24
 * keys plus 9 relative terms; the codes are recovered exactly (each token is far nearer one code).
 */
const TOLERANCE = 2e-5;
/** Both float64: the op's matmuls, readout and concatenations vs the dense loops, rounding only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('SQ-Transformer SAL (catalog #46) on the device', () => {
  it('matches the float64 reference and the dense SoVQ + shared-score two-stream attention with Shaw relative keys and values', async () => {
    const sizes = { heads: 4, length: 24, width: 16, headDim: 8, clip: 4 };
    const check = await checkCatalogInstance(sqTransformerCatalogEntry.build(), (values) =>
      denseSal(values, sizes, sqTransformerCatalogEntry.mechanism),
    );
    console.log('sq-transformer-sal', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    // SoVQ (code norms, x·c, argmax, gather), the projections and q̂·r^K, the attention op, M r^V and
    // the two-stream sum: the relative mass is written by the attention kernel, no kernel of its own.
    expect(check.kernels).toBe(13);
  }, 180_000);
});
