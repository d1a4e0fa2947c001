import { input, makeGraph } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { lokiSelection } from '../masks/loki-selection.js';
import { attention } from '../spec/attention-spec.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { principalDirections } from './principal-directions.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/** Loki's instance: 128 tokens, keys scored in 4 of 16 principal directions, 32 keys kept per query. */
export const LOKI_SHAPE = { heads: 2, headDim: 16, length: 128, rank: 4, topK: 32 } as const;

/** Keys with decaying variance per dimension (as real keys: a few directions dominate), seeded. */
export function lokiKeys(count: number, seed: number): Float32Array {
  const { headDim } = LOKI_SHAPE;
  return seeded(count, seed).map((value, i) => value * 2 ** -((i % headDim) / 4));
}

/**
 * Loki (catalog #59) at small sizes: the 4 leading principal directions P_r of calibration keys
 * (host PCA, offline as in the paper; shared by the heads), approximate scores (qP_r)·(kP_r), the
 * top 32 causal keys of each query kept, exact causal softmax attention over them. The selection is
 * built on the device by graph ops before the attention kernel.
 */
export const lokiCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'loki',
  paper: 59,
  build() {
    const { heads, headDim, length, rank, topK } = LOKI_SHAPE;
    const shape = [1, heads, length, headDim];
    const [query, key, value] = qkvInputs(shape);
    const projection = input('projection', [headDim, rank]);
    const mask = and(causal(), lokiSelection({ projection, topK }));
    const { output } = applyAttention(attention({ name: 'loki', heads, headDim, mask }), {
      query,
      key,
      value,
    });
    const count = heads * length * headDim;
    return {
      graph: makeGraph({ output }),
      params: {},
      inputs: {
        q: seeded(count, 21),
        k: lokiKeys(count, 22),
        v: seeded(count, 23),
        projection: principalDirections(lokiKeys(4 * count, 24), headDim, rank),
      },
      dims: {},
    };
  },
};
