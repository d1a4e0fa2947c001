import { input, makeGraph } from '@weft/ir';
import { multiHeadEmbeddingAttention } from '../compose/head-embeddings.js';
import { mixtureOfHeadsAttention } from '../compose/mixture-of-heads.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seededBlockParams } from './seeded-block-params.js';
import { seeded } from './seeded-values.js';

const BATCH = 2;
const SET = 12;
const WIDTH = 16;
const HEADS = 4;

/**
 * Catalog paper 52 on 2 sequences of 12 rows × width 16, 4 heads, gate MLP width 16: outputs
 * `output` and `gate`.
 */
export const mixtureOfHeadsCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'mixture-of-heads',
  paper: 52,
  build() {
    const { output, gate } = mixtureOfHeadsAttention(input('x', [BATCH, SET, WIDTH]), { heads: HEADS });
    const graph = makeGraph({ output, gate });
    return {
      graph,
      params: seededBlockParams(graph),
      inputs: { x: seeded(BATCH * SET * WIDTH, 1) },
      dims: {},
    };
  },
};

/**
 * Catalog paper 73 on 2 sequences of 12 rows × width 16, 4 heads of dim 8 from one shared
 * projection: outputs `add` (MHE-ADD) and `mul` (MHE-MUL).
 */
export const headEmbeddingsCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'multi-head-embeddings',
  paper: 73,
  build() {
    const x = input('x', [BATCH, SET, WIDTH]);
    const sizes = { heads: HEADS, headDim: 8 };
    const graph = makeGraph({
      add: multiHeadEmbeddingAttention(x, { ...sizes, mode: 'add', name: 'mheAdd' }),
      mul: multiHeadEmbeddingAttention(x, { ...sizes, mode: 'mul', name: 'mheMul' }),
    });
    return {
      graph,
      params: seededBlockParams(graph),
      inputs: { x: seeded(BATCH * SET * WIDTH, 1) },
      dims: {},
    };
  },
};
