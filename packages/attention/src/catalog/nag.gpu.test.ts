import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseNag } from '../../test/dense-nag.js';
import { freshInputs } from '../../test/fresh-inputs.js';
import { NAG_SHAPE, nagCatalogEntry } from './nag-entry.js';

/**
 * f32 kernels vs float64: softmax rows of at most 20 keys, L1 norms over 32 features and a ratio
 * (measured near 1e-7; min(r, τ)/r is continuous at r = τ, so no rounding flips a choice).
 */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

describe('Normalized Attention Guidance (#35) on the device', () => {
  it.each([
    ['the catalog instance', undefined],
    ['fresh random inputs', Date.now() % 2_147_483_647],
  ] as const)(
    '%s matches the float64 formula written from the paper',
    async (label, seed) => {
      const built = nagCatalogEntry.build();
      const instance = seed === undefined ? built : freshInputs(built, seed).instance;
      let clipped = 0;
      const check = await checkCatalogInstance(instance, (values) => {
        const result = denseNag(NAG_SHAPE)(values);
        clipped = result.clipped;
        return result.outputs;
      });
      console.log('nag', label, seed ?? '', check, `${clipped} of ${NAG_SHAPE.queries} tokens clipped`);
      expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
      expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
      expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
      // Two attention kernels (the branches' softmaxes are separate rows) and one epilogue kernel.
      expect(check.kernels).toBe(3);
      // The catalog instance exercises both sides of the clip: some tokens over τ, some under.
      if (seed === undefined) expect([clipped > 0, clipped < NAG_SHAPE.queries]).toEqual([true, true]);
    },
    120_000,
  );
});
