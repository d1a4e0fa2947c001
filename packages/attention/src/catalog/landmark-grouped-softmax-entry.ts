import { input, makeGraph } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { attention } from '../spec/attention-spec.js';
import { groupedSoftmax } from '../spec/normalizers.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const HEADS = 4;
/** 6 whole blocks of ℓ + 1 = 6 keys and a ragged tail of 1: the last query has no landmark yet. */
const LENGTH = 37;
const DIM = 16;
const BLOCK_SIZE = 5;

/**
 * Catalog paper 66's grouped softmax (training form) at 4 heads × 37 positions × dim 16, causal,
 * ℓ = 5: keys 5, 11, 17, … are landmarks; each query attends to its own block's regular keys and
 * to the landmarks of previous blocks, and each previous block's regular keys share their
 * landmark's probability through a softmax within the block.
 */
export const landmarkGroupedSoftmaxCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'landmark-grouped-softmax',
  paper: 66,
  build() {
    const spec = attention({
      heads: HEADS,
      headDim: DIM,
      mask: causal(),
      normalizer: groupedSoftmax({ blockSize: BLOCK_SIZE }),
      name: 'landmark-grouped-softmax',
    });
    const shape = [1, HEADS, LENGTH, DIM];
    const { output } = applyAttention(spec, {
      query: input('q', shape),
      key: input('k', shape),
      value: input('v', shape),
    });
    const count = HEADS * LENGTH * DIM;
    return {
      graph: makeGraph({ output }),
      params: {},
      inputs: { q: seeded(count, 66), k: seeded(count, 67), v: seeded(count, 68) },
      dims: {},
    };
  },
};
