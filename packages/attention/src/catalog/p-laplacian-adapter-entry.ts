import { add, gelu, input, makeGraph, matmul, param, permute, reshape, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { pLaplacian } from '../spec/normalizers.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;
const WIDTH = HEADS * DIM;
const BOTTLENECK = 8;

/**
 * Catalog paper 64 (p-Adapter) at 4 heads × 24 positions × dim 16, bidirectional as in BLIP's
 * encoder: softmax attention re-weighted by p-Laplacian message passing with the projected queries
 * as the features (p = 1.5, μ = 0.5 per head), heads merged to `[1, 24, 64]`, then the bottleneck
 * adapter with its residual, o + W_up·GELU(W_down·o), as ordinary graph ops.
 */
export const pLaplacianAdapterCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'p-laplacian-adapter',
  paper: 64,
  build() {
    const shape = [1, HEADS, LENGTH, DIM];
    const spec = attention({
      heads: HEADS,
      headDim: DIM,
      normalizer: pLaplacian({ features: tensorRef('q', shape), p: 1.5, mu: 0.5 }),
      name: 'p-laplacian-adapter',
    });
    const query = input('q', shape);
    // The projected queries are both the query rows and the node features x_i.
    const { output } = applyAttention(spec, {
      query,
      key: input('k', shape),
      value: input('v', shape),
      tensors: { q: query },
    });
    const merged = reshape(permute(output, [0, 2, 1, 3]), [1, LENGTH, WIDTH]);
    const down = matmul(merged, param('adapter.down', [WIDTH, BOTTLENECK]));
    const up = matmul(gelu(down), param('adapter.up', [BOTTLENECK, WIDTH]));
    const count = HEADS * LENGTH * DIM;
    return {
      graph: makeGraph({ output: add(merged, up) }),
      params: {
        'adapter.down': seeded(WIDTH * BOTTLENECK, 4).map((x) => x / Math.sqrt(WIDTH)),
        'adapter.up': seeded(BOTTLENECK * WIDTH, 5).map((x) => x / Math.sqrt(BOTTLENECK)),
      },
      inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
      dims: {},
    };
  },
};
