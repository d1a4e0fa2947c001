import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../test/check-catalog-entry.js';
import { denseLandmarkStep, type RetrievalSizes } from '../test/dense-landmark-retrieval.js';
import { compileStep, retrievalCase, selectedBlocks } from '../test/landmark-retrieval-case.js';
import { ATTENTION_CATALOG } from './catalog/attention-catalog.js';
import { LANDMARK_RETRIEVAL_SHAPE } from './catalog/landmark-retrieval-entry.js';

/** The reference interpreter and the rule written from the paper are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

/** f32 kernels vs float64: scores of dim 16, softmaxes over at most 3 blocks of 8 (measured near 1e-7). */
const TOLERANCE = 1e-5;

/** ℓ = 7 (blocks of 8 slots), 10 blocks cached, 2 retrieved; 4 query heads on 2 KV heads. */
const SIZES: RetrievalSizes = {
  batch: 1,
  heads: 4,
  kvHeads: 2,
  slots: 80,
  dim: 16,
  valueDim: 16,
  blockSize: 7,
  topK: 2,
};

describe('landmarkRetrieval on the device', () => {
  it('every decode step, past the retrieved block count, retrieves the blocks of the paper and matches its rule', async () => {
    const { device } = await getTestDevice();
    const { graph, values } = retrievalCase(SIZES, 690);
    const program = await compileStep(device, graph);
    let worst = 0;
    try {
      // One compiled step, run at every position of the cache (selection stays on the device).
      for (let position = 0; position < SIZES.slots; position++) {
        const results = await program.run(
          { ...values, position: Int32Array.from([position]) },
          { poisonOutputs: true },
        );
        const dense = denseLandmarkStep(SIZES, values, [position]);
        for (let h = 0; h < SIZES.heads; h++)
          expect(selectedBlocks(results.selected!.data, SIZES, 0, h), `position ${position} h${h}`).toEqual(
            [...dense.selected(0, h)].sort((x, y) => x - y),
          );
        const error = relativeError(results.output!.data, dense.output);
        expect(error, `position ${position}`).toBeLessThan(TOLERANCE);
        worst = Math.max(worst, error);
      }
      console.log(
        'landmark retrieval decode: worst error vs float64',
        worst,
        'kernels',
        program.stats.kernels,
      );
    } finally {
      program.destroy();
    }
  }, 600_000);

  it('the catalog instance matches the float64 rule written from the paper', async () => {
    const entry = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'landmark-retrieval-decode')!;
    const { heads, headDim, slots, blockSize, topK, position } = LANDMARK_RETRIEVAL_SHAPE;
    const sizes = {
      batch: 1,
      heads,
      kvHeads: heads,
      slots,
      dim: headDim,
      valueDim: headDim,
      blockSize,
      topK,
    };
    const check = await checkCatalogInstance(entry.build(), (values) => ({
      output: denseLandmarkStep(sizes, values as { q: Float32Array; k: Float32Array; v: Float32Array }, [
        position,
      ]).output,
    }));
    console.log('landmark-retrieval-decode', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 120_000);
});
