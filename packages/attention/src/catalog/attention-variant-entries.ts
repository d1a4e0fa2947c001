import { input, makeGraph } from '@weft/ir';
import { dualAttention } from '../compose/dual-attention.js';
import { payBetterAttention } from '../compose/pay-better-attention.js';
import { skimAttentionLayer, skimLayout } from '../compose/skim-attention.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seededBlockParams } from './seeded-block-params.js';
import { seeded } from './seeded-values.js';

const SHAPE = [2, 12, 16];
const COUNT = 2 * 12 * 16;

/**
 * Catalog paper 13 on 2 sequences of ℓ = 12 × width 16, 4 heads: outputs `optimised`, `efficient`,
 * `super` and `superCausal` (causal mask, lower-triangular W_A).
 */
export const payBetterAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'pay-better-attention',
  paper: 13,
  build() {
    const x = input('x', SHAPE);
    const graph = makeGraph({
      optimised: payBetterAttention(x, { kind: 'optimised', heads: 4, name: 'optimised' }),
      efficient: payBetterAttention(x, { kind: 'efficient', heads: 4, name: 'efficient' }),
      super: payBetterAttention(x, { kind: 'super', heads: 4, name: 'super' }),
      superCausal: payBetterAttention(x, { kind: 'super', heads: 4, causal: true, name: 'superCausal' }),
    });
    return { graph, params: seededBlockParams(graph), inputs: { x: seeded(COUNT, 1) }, dims: {} };
  },
};

/**
 * Catalog paper 62: two Skimformer attention sublayers over 2 sequences of 12 × width 16 sharing one
 * layout map (4 heads of 4): outputs `layer0` and `layer1`.
 */
export const skimAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'skim-attention',
  paper: 62,
  build() {
    const layout = skimLayout(input('layout', SHAPE), { heads: 4, name: 'skim' });
    const layer0 = skimAttentionLayer(input('h', SHAPE), layout, { name: 'layers.0' });
    const layer1 = skimAttentionLayer(layer0, layout, { name: 'layers.1' });
    const graph = makeGraph({ layer0, layer1 });
    return {
      graph,
      params: seededBlockParams(graph),
      inputs: { layout: seeded(COUNT, 1), h: seeded(COUNT, 2) },
      dims: {},
    };
  },
};

/**
 * Catalog paper 36: dual attention with 2 standard and 2 relational heads (dim 4), 4 relations of
 * dim 4 and positional symbols, on 2 sequences of 12 × width 16: output `output`.
 */
export const dualAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'dual-attention',
  paper: 36,
  build() {
    const output = dualAttention(input('x', SHAPE), {
      selfHeads: 2,
      relationalHeads: 2,
      relations: 4,
      relationDim: 4,
      name: 'dual',
    });
    const graph = makeGraph({ output });
    return { graph, params: seededBlockParams(graph), inputs: { x: seeded(COUNT, 1) }, dims: {} };
  },
};
