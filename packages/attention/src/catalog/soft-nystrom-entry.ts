import { input, makeGraph } from '@weft/ir';
import { softNystromAttention } from '../soft/soft-nystrom-attention.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded, seededInRange } from './seeded-values.js';

const HEADS = 2;
const GRID = [6, 6] as const;
const TOKENS = GRID[0] * GRID[1];
const DIM = 16;
const RATIO = 2;
const VALUE_CONV = 3;

/**
 * Catalog paper 83's Nyström form at 2 heads × a 6×6 token grid × dim 16 with 2×2 landmark pooling
 * (9 landmarks) and the 3×3 depthwise convolution of V per head: outputs `output` and
 * `pseudoInverse` (B⁺ by 20 Newton–Schulz steps). LayerNorm gains in [0.3, 0.6] keep the landmarks
 * near the queries, so A is not vanishingly small; the V filter taps are in ±[0.01, 0.1].
 */
export const softNystromCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'soft-nystrom-attention',
  paper: 83,
  build() {
    const shape = [1, HEADS, TOKENS, DIM];
    const { output, pseudoInverse } = softNystromAttention(input('q', shape), input('v', shape), {
      grid: GRID,
      ratio: RATIO,
      valueConv: VALUE_CONV,
      name: 'soft',
    });
    const count = HEADS * TOKENS * DIM;
    return {
      graph: makeGraph({ output, pseudoInverse }),
      params: {
        'soft.landmarkConv.weight': seeded(DIM * DIM * RATIO * RATIO, 4).map((w) => w / 4),
        'soft.landmarkNorm.gamma': seededInRange(DIM, 5, 0.3, 0.6),
        'soft.landmarkNorm.beta': seeded(DIM, 6).map((b) => b / 10),
        'soft.valueConv.weight': seeded(HEADS * VALUE_CONV * VALUE_CONV, 7).map((w) => w / 10),
      },
      inputs: { q: seeded(count, 1), v: seeded(count, 3) },
      dims: {},
    };
  },
};
