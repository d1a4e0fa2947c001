import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseDeltaAttention } from '../../test/dense-delta-attention.js';
import { freshInputs } from '../../test/fresh-inputs.js';
import { DELTA_ATTENTION_SHAPE, deltaAttentionCatalogEntry } from './delta-attention-entry.js';

/**
 * f32 kernels vs float64: softmax rows of at most 256 keys, plus one difference and one sum of
 * outputs of similar size (measured near 2e-7).
 */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

describe('Δ Attention (#65) on the device', () => {
  it.each([
    ['the catalog instance', undefined],
    ['fresh random inputs', Date.now() % 2_147_483_647],
  ] as const)(
    '%s matches the float64 formula written from the paper',
    async (label, seed) => {
      const built = deltaAttentionCatalogEntry.build();
      const instance = seed === undefined ? built : freshInputs(built, seed).instance;
      const check = await checkCatalogInstance(instance, denseDeltaAttention(DELTA_ATTENTION_SHAPE));
      console.log('delta attention', label, seed ?? '', check);
      expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
      expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
      expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
      // The sparse kernel, the dense kernel over the strided queries and one elementwise kernel.
      expect(check.kernels).toBe(3);
    },
    120_000,
  );
});
