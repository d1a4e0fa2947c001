import { input, makeGraph, mul, reshape } from '@weft/ir';
import { channelAttentionGate, spatialAttentionGate } from '../compose/channel-attention.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seededBlockParams } from './seeded-block-params.js';
import { seeded } from './seeded-values.js';

const [BATCH, CHANNELS, HEIGHT, WIDTH] = [2, 64, 8, 4];

/**
 * CORE-ReID's attention blocks (catalog paper 6) on 2 feature maps of 64 channels × 8 × 4 (the paper's
 * ResNet-50 maps are 2048 × 16 × 8), r = 4: the global branch of its fusion, y = x ⊙ (w ⊙ (GMP + GAP))
 * (ECAB_REAL) then out = y ⊙ σ(conv7×7([mean_c y; max_c y])) (CBAM spatial attention), as `output`,
 * and ECAB's gate w `[2, 64]` on x, as `gate`. The 7×7 weights are scaled by 1/√98 (their fan-in)
 * so the spatial gate stays off saturation.
 */
export const coreReidCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'core-reid-channel-spatial',
  paper: 6,
  build() {
    const x = input('x', [BATCH, CHANNELS, HEIGHT, WIDTH]);
    const { gate, pooled } = channelAttentionGate(x, { name: 'coreReid.ecab' });
    const scaled = mul(x, reshape(mul(gate, pooled), [BATCH, CHANNELS, 1, 1]));
    const output = mul(scaled, spatialAttentionGate(scaled, { name: 'coreReid.spatial' }));
    const graph = makeGraph({ output, gate });
    const params = seededBlockParams(graph);
    params['coreReid.spatial.weight'] = seeded(2 * 7 * 7, 40).map((w) => w / Math.sqrt(2 * 7 * 7));
    return { graph, params, inputs: { x: seeded(BATCH * CHANNELS * HEIGHT * WIDTH, 1) }, dims: {} };
  },
};
