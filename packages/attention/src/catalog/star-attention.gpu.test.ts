import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseStarAttention } from '../../test/dense-star-attention.js';
import { STAR_SHAPE, starAttentionCatalogEntry } from './star-attention-entry.js';

/** f32 kernels vs float64: softmax rows of ≤ 28 keys, values in ±1, an LSE merge of 5 parts; ~3e-7 measured. */
const TOLERANCE = 2e-5;
/** Both float64: the merge and the one-pass softmax differ by rounding only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('Star Attention (catalog #99) on the device', () => {
  it('phase 1 = anchor-block attention per host, phase 2 = exact attention over every block, merged by LSE', async () => {
    const check = await checkCatalogInstance(starAttentionCatalogEntry.build(), (values) =>
      denseStarAttention(values, STAR_SHAPE),
    );
    console.log('star-attention', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 120_000);
});
