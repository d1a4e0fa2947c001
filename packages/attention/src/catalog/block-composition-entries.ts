import { input, makeGraph } from '@weft/ir';
import { sequenceFeedForward } from '../compose/attention-free-ffn.js';
import { lamaPooling } from '../compose/lama-pooling.js';
import { layerStackAttention } from '../compose/layer-stack-attention.js';
import { layerwiseShortcutAttention } from '../compose/layerwise-shortcuts.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seededBlockParams } from './seeded-block-params.js';
import { seeded } from './seeded-values.js';

/** Catalog paper 32's ALR network on 2 sequences padded to L = 8, width 8, hidden 32: output `output`. */
export const sequenceFeedForwardCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'attention-free-ffn',
  paper: 32,
  build() {
    const graph = makeGraph({ output: sequenceFeedForward(input('x', [2, 8, 8]), { hidden: 32 }) });
    return { graph, params: seededBlockParams(graph), inputs: { x: seeded(2 * 8 * 8, 1) }, dims: {} };
  },
};

/**
 * Catalog paper 37 on 2 sequences of 12 × width 16, 4 heads, the last layer attending to two tapped
 * layers (24 memory rows): output `output`.
 */
export const layerwiseShortcutsCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'layerwise-shortcuts',
  paper: 37,
  build() {
    const shape = [2, 12, 16];
    const output = layerwiseShortcutAttention(
      input('x', shape),
      [input('tap0', shape), input('tap1', shape)],
      {
        heads: 4,
      },
    );
    const graph = makeGraph({ output });
    const count = 2 * 12 * 16;
    return {
      graph,
      params: seededBlockParams(graph),
      inputs: { x: seeded(count, 1), tap0: seeded(count, 2), tap1: seeded(count, 3) },
      dims: {},
    };
  },
};

/**
 * Catalog paper 58's pooling of 2 sequences of 12 × width 16 into 4 heads, in the paper's
 * normalized form (`paper`) and the public port's (`port`).
 */
export const lamaPoolingCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'lama-pooling',
  paper: 58,
  build() {
    const h = input('h', [2, 12, 16]);
    const graph = makeGraph({
      paper: lamaPooling(h, { heads: 4, name: 'lama' }),
      port: lamaPooling(h, { heads: 4, normalize: false, name: 'lamaPort' }),
    });
    return { graph, params: seededBlockParams(graph), inputs: { h: seeded(2 * 12 * 16, 1) }, dims: {} };
  },
};

/**
 * Catalog paper 98 (architecture 2, as the catalog reads it): 2 sequences of 12 × width 16 whose
 * tokens attend over 3 earlier layers at their position: output `output`.
 */
export const layerStackAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'layer-stack-attention',
  paper: 98,
  build() {
    const shape = [2, 12, 16];
    const earlier = [0, 1, 2].map((j) => input(`layer${j}`, shape));
    const graph = makeGraph({ output: layerStackAttention(input('x', shape), earlier) });
    const count = 2 * 12 * 16;
    return {
      graph,
      params: seededBlockParams(graph),
      inputs: {
        x: seeded(count, 1),
        layer0: seeded(count, 2),
        layer1: seeded(count, 3),
        layer2: seeded(count, 4),
      },
      dims: {},
    };
  },
};
