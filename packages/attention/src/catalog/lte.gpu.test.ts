import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseLte } from '../../test/dense-lte.js';
import { ATTENTION_CATALOG } from './attention-catalog.js';
import { LTE_SHAPE } from './lte-entry.js';

/** f32 kernels vs float64: four convolution layers (fan-in ≤ 96) and softmax rows of ≤ 128 keys. */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-10;

const { heads, headDim, length, window, sinks } = LTE_SHAPE;

describe('learnable token eviction (#82) on the device', () => {
  it('the catalog instance (router logits and output) matches the float64 formula written from the paper', async () => {
    const entry = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'learnable-token-eviction')!;
    const check = await checkCatalogInstance(
      entry.build(),
      denseLte({ heads, length, dim: headDim, window, sinks }),
    );
    console.log('lte', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 300_000);
});
