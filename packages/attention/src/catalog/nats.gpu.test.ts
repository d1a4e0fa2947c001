import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseNats } from '../../test/dense-nats.js';
import { ATTENTION_CATALOG } from './attention-catalog.js';
import { NATS_SHAPE } from './nats-entry.js';

/** f32 kernels vs float64: softmax rows of at most 128 keys (Loki's and MoBA's measured near 1e-7). */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-10;

const { heads, headDim, length, features, window } = NATS_SHAPE;

describe('NAtS (#11) on the device', () => {
  it('the catalog instance matches the float64 formula written from the paper', async () => {
    const entry = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'nats')!;
    const check = await checkCatalogInstance(
      entry.build(),
      denseNats({ heads, length, dim: headDim, features, window }),
    );
    console.log('nats', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 300_000);
});
