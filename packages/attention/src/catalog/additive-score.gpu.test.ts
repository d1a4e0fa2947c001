import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseAdditiveAttention } from '../../test/dense-additive-score.js';
import { additiveAttentionCatalogEntry, mlpScoreAttentionCatalogEntry } from './additive-score-entry.js';

/**
 * f32 kernel vs float64: 8 activations summed per pair, scores of size ~|U|₁ ≤ 16, rows of 24 keys;
 * f32 tanh and the projections' rounding leave ~1e-6.
 */
const TOLERANCE = 2e-5;
/** Both float64: the op's projections and sum vs the dense loop differ by summation order only. */
const FLOAT64_TOLERANCE = 1e-12;

const CASES = [
  { entry: additiveAttentionCatalogEntry, activation: 'tanh', causal: false, queries: 12 },
  { entry: mlpScoreAttentionCatalogEntry, activation: 'relu', causal: true, queries: 24 },
] as const;

describe('additive and MLP scores (catalog #10, #15) on the device', () => {
  for (const { entry, activation, causal, queries } of CASES) {
    it(`${entry.mechanism}: matches the float64 reference and the dense Σ_c U_c ${activation}(W_d h + W_c a + b)`, async () => {
      const sizes = { batch: 1, heads: 4, queries, keys: 24, headDim: 16, valueDim: 16 };
      const check = await checkCatalogInstance(entry.build(), (values) => ({
        output: denseAdditiveAttention(values, sizes, {
          mechanism: entry.mechanism,
          activation,
          causal,
          width: 8,
        }),
      }));
      console.log(entry.mechanism, check);
      expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
      expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
      expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
      // Two projections (the key one with its bias fused) and the attention op.
      expect(check.kernels).toBe(3);
    }, 120_000);
  }
});
