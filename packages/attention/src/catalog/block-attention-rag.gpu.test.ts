import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseBlockAttentionRag } from '../../test/dense-star-attention.js';
import { BLOCK_RAG_SHAPE, blockAttentionRagCatalogEntry } from './block-attention-rag-entry.js';

/** f32 kernels vs float64: softmax rows of ≤ 24 keys, values in ±1, RoPE shifted by ≤ 12; ~3e-7 measured. */
const TOLERANCE = 2e-5;
/** Both float64: shifted and directly rotated keys differ by rounding of the angles only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('Block-Attention for RAG (catalog #106) on the device', () => {
  it('passages encoded from position 0 and shifted into place = one sequence with the block mask', async () => {
    const check = await checkCatalogInstance(blockAttentionRagCatalogEntry.build(), (values) =>
      denseBlockAttentionRag(values, BLOCK_RAG_SHAPE),
    );
    console.log('block-attention-rag', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 120_000);
});
