import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { dot, rowOf, weightedValues } from '../../test/dense-heads.js';
import { lightningAttentionCatalogEntry } from './lightning-attention-entry.js';

/** f32 kernel vs float64: sums of at most 24 unnormalized products, measured near 1e-7. */
const TOLERANCE = 1e-5;
/** Both float64; exp(−slope·(t − s)) vs λ^(t−s) by powers differ by rounding only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('lightning attention, quadratic form (catalog #63), on the device', () => {
  it('matches the float64 reference and the dense [(QKᵀ) ⊙ D] V with D_ts = λ_h^(t−s)', async () => {
    const instance = lightningAttentionCatalogEntry.build();
    const sizes = { batch: 1, heads: 4, queries: 24, keys: 24, headDim: 16, valueDim: 16 };
    const rows = { heads: 4, length: 24, dim: 16 };
    // Layer 2 of 6: slope_h = 2^(−8(h+1)/4) · (1 − 2/5 + 1e-5), stored as an f32 parameter; λ_h = exp(−slope_h).
    const slopes = [0, 1, 2, 3].map((h) => Math.fround(2 ** (-2 * (h + 1)) * (1 - 2 / 5 + 1e-5)));
    const decay = slopes.map((slope) => Math.exp(-slope));
    const check = await checkCatalogInstance(instance, (values) => {
      const output = weightedValues(sizes, values.v!, (b, h, t) => {
        const query = rowOf(values.q!, rows, b, h, t);
        return Array.from({ length: sizes.keys }, (_, s) =>
          s <= t ? dot(query, rowOf(values.k!, rows, b, h, s)) * decay[h]! ** (t - s) : 0,
        );
      });
      return { output };
    });
    console.log('lightning-attention', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    expect(check.kernels).toBe(1);
  });
});
