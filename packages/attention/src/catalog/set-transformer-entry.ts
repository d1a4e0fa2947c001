import { input, makeGraph } from '@weft/ir';
import {
  inducedSetAttentionBlock,
  poolingByMultiheadAttention,
  setAttentionBlock,
} from '../compose/set-transformer.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seededBlockParams } from './seeded-block-params.js';
import { seeded } from './seeded-values.js';

const BATCH = 2;
const SET = 12;
const WIDTH = 16;
const HEADS = 4;
const INDUCING = 4;
const SEEDS = 2;

/**
 * Catalog paper 55's blocks on a batch of 2 sets of 12 rows × width 16, 4 heads, rFF width 32:
 * outputs `sab` = SAB(X), `isab` = ISAB₄(X) and `pooled` = PMA₂(ISAB₄(X)). Weights are
 * ±[0.1, 1]/√fan-in, LayerNorm gains in [0.5, 1.5], biases ±[0.01, 0.1].
 */
export const setTransformerCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'set-transformer',
  paper: 55,
  build() {
    const x = input('x', [BATCH, SET, WIDTH]);
    const isab = inducedSetAttentionBlock(x, INDUCING, { heads: HEADS, name: 'isab' });
    const graph = makeGraph({
      sab: setAttentionBlock(x, { heads: HEADS, name: 'sab' }),
      isab,
      pooled: poolingByMultiheadAttention(isab, SEEDS, { heads: HEADS, name: 'pma' }),
    });
    const params = seededBlockParams(graph);
    return { graph, params, inputs: { x: seeded(BATCH * SET * WIDTH, 1) }, dims: {} };
  },
};
