import { input, makeGraph } from '@weft/ir';
import { nystromformerAttention } from '../compose/nystromformer.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const HEADS = 2;
const LENGTH = 32;
const DIM = 16;
const LANDMARKS = 8;

/**
 * Catalog paper 57 at 2 heads × 32 positions × dim 16 with 8 landmarks (segments of 4) and the
 * paper's 6 pseudo-inverse iterations: outputs `output` and `pseudoInverse`.
 */
export const nystromformerCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'nystromformer',
  paper: 57,
  build() {
    const shape = [1, HEADS, LENGTH, DIM];
    const { output, pseudoInverse } = nystromformerAttention(
      input('q', shape),
      input('k', shape),
      input('v', shape),
      { landmarks: LANDMARKS },
    );
    const count = HEADS * LENGTH * DIM;
    return {
      graph: makeGraph({ output, pseudoInverse }),
      params: {},
      inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
      dims: {},
    };
  },
};
