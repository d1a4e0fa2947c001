import { input, makeGraph } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { fastmaxQueryKeyNorm } from '../fastmax-query-key-norm.js';
import { causal } from '../masks/builtin-masks.js';
import { attention } from '../spec/attention-spec.js';
import { polynomialNormalized } from '../spec/normalizers.js';
import { scale } from '../spec/score-mods.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;

/**
 * Catalog paper 26's quadratic form at 4 heads × 24 positions × dim 16, causal: Q and K centred
 * and divided by their largest token norm (`fastmaxQueryKeyNorm`), T = 1, then the degree-2
 * Taylor polynomial f(s) = 1 + s + s²/2, l1-normalized over the kept keys.
 */
export const fastmaxCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'fastmax',
  paper: 26,
  build() {
    const spec = attention({
      heads: HEADS,
      headDim: DIM,
      score: [scale(1)],
      mask: causal(),
      normalizer: polynomialNormalized({ degree: 2 }),
      name: 'fastmax',
    });
    const shape = [1, HEADS, LENGTH, DIM];
    const { output } = applyAttention(spec, {
      query: fastmaxQueryKeyNorm(input('q', shape)),
      key: fastmaxQueryKeyNorm(input('k', shape)),
      value: input('v', shape),
    });
    const count = HEADS * LENGTH * DIM;
    return {
      graph: makeGraph({ output }),
      params: {},
      inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
      dims: {},
    };
  },
};
