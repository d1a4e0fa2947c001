import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseHyperAttention } from '../../test/dense-hyper-attention.js';
import {
  HYPER_ATTENTION_CAUSAL_SHAPE,
  HYPER_ATTENTION_SHAPE,
  hyperAttentionCatalogEntry,
  hyperAttentionCausalCatalogEntry,
} from './hyper-attention-entry.js';

/**
 * f32 kernels vs float64: softmax rows of 32 keys (the diagonal blocks and the samples), merged by
 * log-sum-exp (measured near 1e-7); the sort is integers and must be exact.
 */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

describe('HyperAttention (#18) on the device', () => {
  it('the catalog instance matches the float64 forward written from the paper', async () => {
    const dense = denseHyperAttention(HYPER_ATTENTION_SHAPE);
    const check = await checkCatalogInstance(
      hyperAttentionCatalogEntry.build(),
      (values) => dense(values).outputs,
    );
    console.log('hyper-attention', check);
    // The hashes and the sort are integers: the device's orders must be the paper's exactly.
    expect(check.deviceVersusDense.queryOrder).toBe(0);
    expect(check.deviceVersusDense.keyOrder).toBe(0);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 600_000);

  it('the causal instance matches the float64 recursive halving written from the paper', async () => {
    const dense = denseHyperAttention(HYPER_ATTENTION_CAUSAL_SHAPE, true);
    const check = await checkCatalogInstance(
      hyperAttentionCausalCatalogEntry.build(),
      (values) => dense(values).outputs,
    );
    console.log('hyper-attention-causal', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 600_000);
});
