import { input, makeGraph } from '@weft/ir';
import { landmarkRetrieval } from '../landmark-retrieval.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

/** The decode step's instance: ℓ = 7 (blocks of 8 slots), 10 cached blocks, the top 2 retrieved. */
export const LANDMARK_RETRIEVAL_SHAPE = {
  heads: 4,
  headDim: 16,
  slots: 80,
  blockSize: 7,
  topK: 2,
  /** In block 9, at offset 5: 9 complete previous blocks to choose from. */
  position: 77,
} as const;

/**
 * Catalog paper 66's inference form, one decode step: per head, the query scores the landmark keys
 * of the 9 complete blocks before its own, the top 2 blocks are gathered on the device with the
 * current block, and the grouped softmax (landmark gates × within-block softmax) weighs them.
 */
export const landmarkRetrievalCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'landmark-retrieval-decode',
  paper: 66,
  build() {
    const { heads, headDim, slots, blockSize, topK, position } = LANDMARK_RETRIEVAL_SHAPE;
    const { output } = landmarkRetrieval(
      {
        query: input('q', [1, heads, 1, headDim]),
        key: input('k', [1, heads, slots, headDim]),
        value: input('v', [1, heads, slots, headDim]),
        position: input('position', [1], 'i32'),
      },
      { blockSize, topK },
    );
    return {
      graph: makeGraph({ output }),
      params: {},
      inputs: {
        q: seeded(heads * headDim, 166),
        k: seeded(heads * slots * headDim, 167),
        v: seeded(heads * slots * headDim, 168),
        position: Int32Array.from([position]),
      },
      dims: {},
    };
  },
};
