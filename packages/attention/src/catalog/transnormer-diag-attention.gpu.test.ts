import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseDiagAttention } from '../../test/dense-transnormer.js';
import { ATTENTION_CATALOG } from './attention-catalog.js';

/** f32 flash kernel vs float64: softmax over at most 8 keys per row, measured near 1e-7. */
const TOLERANCE = 1e-5;
const FLOAT64_TOLERANCE = 1e-12;

describe('TransNormer DiagAttention (catalog #49) on the device', () => {
  it('matches the float64 reference and the paper’s softmax inside diagonal blocks', async () => {
    const instance = ATTENTION_CATALOG.find(
      (entry) => entry.mechanism === 'transnormer-diag-attention',
    )!.build();
    const sizes = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
    const check = await checkCatalogInstance(instance, (values) => ({
      output: denseDiagAttention(sizes, values.q!, values.k!, values.v!, { block: 8, causal: true }),
    }));
    console.log('transnormer-diag-attention', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    expect(check.kernels).toBe(1);
  });
});
