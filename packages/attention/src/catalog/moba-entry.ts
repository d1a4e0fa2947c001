import { makeGraph } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { mobaSelection } from '../masks/moba-selection.js';
import { attention } from '../spec/attention-spec.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/** MoBA's instance: 4 blocks of 32, each query routed to its own block and 1 earlier one. */
export const MOBA_SHAPE = { heads: 2, headDim: 16, length: 128, blockSize: 32, topK: 2 } as const;

/**
 * MoBA (catalog #115) at small sizes: keys mean-pooled per block of 32, each query token gated
 * against the blocks (q_i·k̄_b, own block forced in, later blocks out), its top 2 kept, then causal
 * softmax attention over the kept blocks. The block table and token selection are built on the
 * device by graph ops; the attention kernel reads the table and skips the key tiles no query of a
 * block selected.
 */
export const mobaCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'moba',
  paper: 115,
  build() {
    const { heads, headDim, length, blockSize, topK } = MOBA_SHAPE;
    const shape = [1, heads, length, headDim];
    const [query, key, value] = qkvInputs(shape);
    const mask = and(causal(), mobaSelection({ blockSize, topK }));
    const { output } = applyAttention(attention({ name: 'moba', heads, headDim, mask }), {
      query,
      key,
      value,
    });
    const count = heads * length * headDim;
    return {
      graph: makeGraph({ output }),
      params: {},
      inputs: { q: seeded(count, 11), k: seeded(count, 12), v: seeded(count, 13) },
      dims: {},
    };
  },
};
