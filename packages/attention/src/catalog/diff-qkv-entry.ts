import { gather, input, literal, makeGraph, matmul, param, reshape } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { attention } from '../spec/attention-spec.js';
import { scale } from '../spec/score-mods.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const LENGTH = 24;
/** Query heads n_q, key heads n_k and value heads n_v, independently grouped (n_k < n_v). */
const HEADS = { query: 4, key: 2, value: 4 } as const;
/** Key head dim d_hk (the cached K) and value/query head dim d_hv = 2·d_hk. */
const DIMS = { key: 8, value: 16 } as const;

/**
 * Sigma's DiffQKV attention (catalog #71) at small sizes: 4 query heads, 2 key heads of dim 8,
 * 4 value heads of dim 16. The paper maps K to the query/value dim before the dot product,
 * K' = K·W_up (`sigma-diff-qkv.keyUp` `[n_k, d_hk, d_hv]`, one map per key head); here that map is
 * absorbed on the query side, q·(k W_up) = (q W_upᵀ)·k, as two primitive ops before the attention
 * op (a gather of each query head's W_up and a batched matmul), so the cache keeps the small K.
 * The scale is 1/√d_hv, the dim of the paper's dot product q·k'.
 */
export const diffQkvCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'sigma-diff-qkv',
  paper: 71,
  build() {
    const name = 'sigma-diff-qkv';
    const spec = attention({
      name,
      heads: HEADS.query,
      kvHeads: HEADS.key,
      valueHeads: HEADS.value,
      headDim: DIMS.key,
      valueDim: DIMS.value,
      score: scale(1 / Math.sqrt(DIMS.value)),
      mask: causal(),
    });
    const query = input('q', [1, HEADS.query, LENGTH, DIMS.value]);
    const key = input('k', [1, HEADS.key, LENGTH, DIMS.key]);
    const value = input('v', [1, HEADS.value, LENGTH, DIMS.value]);
    const keyUp = param(`${name}.keyUp`, [HEADS.key, DIMS.key, DIMS.value]);
    // Query head h scores against key head ⌊h·n_k/n_q⌋, so it takes that head's W_up.
    const keyHeadOf = Array.from({ length: HEADS.query }, (_, h) =>
      Math.floor((h * HEADS.key) / HEADS.query),
    );
    const perQueryHead = reshape(gather(keyUp, literal(keyHeadOf, [HEADS.query], 'i32'), 0), [
      1,
      HEADS.query,
      DIMS.key,
      DIMS.value,
    ]);
    const absorbed = matmul(query, perQueryHead, { transposeB: true });
    const { output } = applyAttention(spec, { query: absorbed, key, value });
    const upCount = HEADS.key * DIMS.key * DIMS.value;
    return {
      graph: makeGraph({ output }),
      // W_up near a scaled identity on the first d_hk dims, as a learned up-projection might start.
      params: {
        [`${name}.keyUp`]: seeded(upCount, 4).map((x, i) => {
          const column = i % DIMS.value;
          const row = Math.floor(i / DIMS.value) % DIMS.key;
          return 0.3 * x + (row === column ? 1 : 0);
        }),
      },
      inputs: {
        q: seeded(HEADS.query * LENGTH * DIMS.value, 1),
        k: seeded(HEADS.key * LENGTH * DIMS.key, 2),
        v: seeded(HEADS.value * LENGTH * DIMS.value, 3),
      },
      dims: {},
    };
  },
};
