import { makeGraph } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { flexPrefillBlockTables, flexPrefillSelection } from '../masks/flex-prefill-selection.js';
import { attention } from '../spec/attention-spec.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/**
 * FlexPrefill's instance: 8 blocks of 32, γ = 0.7, the paper's τ = 0.1. q and k are seeded values
 * times 3, so that the last block's attention is peaked enough for the covers to drop blocks; with
 * these seeds two heads take the query-aware pattern (√JSD ≈ 0.073, 0.098) and two the
 * vertical-slash one (≈ 0.105, 0.166).
 */
export const FLEX_PREFILL_SHAPE = {
  heads: 4,
  headDim: 16,
  length: 256,
  blockSize: 32,
  gamma: 0.7,
  tau: 0.1,
  inputScale: 3,
} as const;

/**
 * FlexPrefill (catalog #105) at small sizes: per head, the last query block's attention chooses
 * vertical and slash blocks covering γ of its mass, or (√JSD of its block-pooled estimate < τ) the
 * query-aware block pairs; causal softmax attention over the selected blocks. The block table is
 * built on the device by graph ops (the instance also outputs it, for the check against the
 * paper's selection); the attention kernel lists and visits only the selected key tiles.
 */
export const flexPrefillCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'flex-prefill',
  paper: 105,
  build() {
    const { heads, headDim, length, blockSize, gamma, tau, inputScale } = FLEX_PREFILL_SHAPE;
    const shape = [1, heads, length, headDim];
    const [query, key, value] = qkvInputs(shape);
    const options = { blockSize, gamma, tau };
    const mask = and(causal(), flexPrefillSelection(options));
    const { output } = applyAttention(attention({ name: 'flex-prefill', heads, headDim, mask }), {
      query,
      key,
      value,
    });
    const { table } = flexPrefillBlockTables(query, key, options);
    const count = heads * length * headDim;
    const scaled = (seed: number) => seeded(count, seed).map((x) => x * inputScale);
    return {
      graph: makeGraph({ output, table }),
      params: {},
      inputs: { q: scaled(21), k: scaled(22), v: seeded(count, 23) },
      dims: {},
    };
  },
};
