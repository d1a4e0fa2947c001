import { input, makeGraph, param } from '@weft/ir';
import { sparseKAttention } from '../compose/sparsek-attention.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seededBlockParams } from './seeded-block-params.js';
import { seeded } from './seeded-values.js';

/** SparseK's instance: 2 heads × 64 positions × dim 16, scores from x of width 16, k = 12. */
export const SPARSEK_SHAPE = {
  heads: 2,
  n: 64,
  dim: 16,
  model: 16,
  k: 12,
  positionSlope: 0.01,
  name: 'sparsek',
} as const;

/**
 * SparseK attention (catalog #86) at small sizes, forward: a linear scoring network on x, the top 12
 * keys of each causal prefix kept and their values weighted by the SparseK operator (τ of every
 * prefix by one `sparseKThreshold` kernel), two fused attention kernels over the kept keys: 12
 * kernels in all. Output `output`.
 */
export const sparseKCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'sparsek-attention',
  paper: 86,
  build() {
    const { heads, n, dim, model, k, positionSlope, name } = SPARSEK_SHAPE;
    const [query, key, value] = ['q', 'k', 'v'].map((tensor) => input(tensor, [1, heads, n, dim])) as [
      ReturnType<typeof input>,
      ReturnType<typeof input>,
      ReturnType<typeof input>,
    ];
    const x = input('x', [1, n, model]);
    const score = {
      x,
      weight: param(`${name}.score.weight`, [model, heads]),
      bias: param(`${name}.score.bias`, [heads]),
      positionSlope,
    };
    const { output } = sparseKAttention({ query, key, value }, { k, score, name });
    const graph = makeGraph({ output });
    const count = heads * n * dim;
    return {
      graph,
      params: seededBlockParams(graph),
      inputs: { q: seeded(count, 51), k: seeded(count, 52), v: seeded(count, 53), x: seeded(n * model, 54) },
      dims: {},
    };
  },
};
