import { input, makeGraph, param, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { attention } from '../spec/attention-spec.js';
import { lightningDecay, lightningSlopes } from '../spec/lightning-decay.js';
import { identity } from '../spec/normalizers.js';
import { scale } from '../spec/score-mods.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;
/** The instance is layer 2 of a 6-layer TransNormerLLM: slopes 2^(−2h−2) × 0.60001. */
const LAYER = 2;
const LAYERS = 6;

/**
 * Catalog paper 63's quadratic form O = [(QKᵀ) ⊙ D] V at 4 heads × 24 positions × dim 16, with
 * the decay rates of layer 2 of 6 as the parameter `lightning.slopes` (`[4]`).
 */
export const lightningAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'lightning-attention',
  paper: 63,
  build() {
    const slopes = tensorRef('lightning.slopes', [HEADS]);
    const spec = attention({
      heads: HEADS,
      headDim: DIM,
      score: [scale(1), lightningDecay(slopes)],
      mask: causal(),
      normalizer: identity({ outputNorm: 'none' }),
      name: 'lightning-attention',
    });
    const shape = [1, HEADS, LENGTH, DIM];
    const { output } = applyAttention(spec, {
      query: input('q', shape),
      key: input('k', shape),
      value: input('v', shape),
      tensors: { 'lightning.slopes': param('lightning.slopes', [HEADS]) },
    });
    const count = HEADS * LENGTH * DIM;
    return {
      graph: makeGraph({ output }),
      params: { 'lightning.slopes': Float32Array.from(lightningSlopes(HEADS, LAYER, LAYERS)) },
      inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
      dims: {},
    };
  },
};
