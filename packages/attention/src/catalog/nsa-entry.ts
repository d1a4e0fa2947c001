import { input, makeGraph, param } from '@weft/ir';
import { nativeSparseAttention } from '../compose/native-sparse-attention.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seededBlockParams } from './seeded-block-params.js';
import { seeded } from './seeded-values.js';

/**
 * NSA's instance: 4 query heads sharing 2 KV heads (GQA), N = 256, head dim 16; compressed blocks
 * l = 32 every d = 16 (an MLP φ with 8 hidden units), selection blocks l′ = 32 with the top 4 of 8
 * kept (the first and 2 local blocks among them), window 48, gates from x of width 32.
 */
export const NSA_SHAPE = {
  heads: 4,
  kvHeads: 2,
  n: 256,
  dim: 16,
  model: 32,
  hidden: 8,
  blockLength: 32,
  stride: 16,
  selectBlock: 32,
  selectCount: 4,
  window: 48,
  name: 'nsa',
} as const;

/**
 * Native Sparse Attention (catalog #94, the NSA base of ASA) at small sizes: the compressed,
 * selected and sliding-window branches, each one fused attention kernel (the selected one walks
 * only the key tiles its device-built table lists), mixed by sigmoid gates. Outputs `output` and
 * the three branches (`compressed`, `selected`, `window`).
 */
export const nsaCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'native-sparse-attention',
  paper: 94,
  build() {
    const { heads, kvHeads, n, dim, model, hidden, name } = NSA_SHAPE;
    const { blockLength, stride, selectBlock, selectCount, window } = NSA_SHAPE;
    const query = input('q', [1, heads, n, dim]);
    const key = input('k', [1, kvHeads, n, dim]);
    const value = input('v', [1, kvHeads, n, dim]);
    const x = input('x', [1, n, model]);
    const mlp = (part: string) => ({
      position: param(`${name}.compression.${part}.position`, [blockLength, dim]),
      hidden: param(`${name}.compression.${part}.hidden`, [blockLength * dim, hidden]),
      output: param(`${name}.compression.${part}.output`, [hidden, dim]),
    });
    const result = nativeSparseAttention(
      { query, key, value },
      {
        blockLength,
        stride,
        selectBlock,
        selectCount,
        window,
        name,
        gate: {
          x,
          weight: param(`${name}.gate.weight`, [model, heads * 3]),
          bias: param(`${name}.gate.bias`, [heads * 3]),
        },
        compression: { key: mlp('key'), value: mlp('value') },
      },
    );
    const graph = makeGraph({ output: result.output, ...result.branches });
    return {
      graph,
      params: seededBlockParams(graph),
      inputs: {
        q: seeded(heads * n * dim, 41),
        k: seeded(kvHeads * n * dim, 42),
        v: seeded(kvHeads * n * dim, 43),
        x: seeded(n * model, 44),
      },
      dims: {},
    };
  },
};
