import { input, makeGraph } from '@weft/ir';
import { linformerAttention } from '../compose/linformer.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const HEADS = 4;
const LENGTH = 32;
const DIM = 16;
const PROJECTED = 8;

/**
 * Catalog paper 50 at 4 heads × 32 positions × dim 16, projected to k = 8 with per-head E_i, F_i
 * (no sharing): outputs `output`. Projection entries are ±[0.1, 1]/√n, so E K stays O(1).
 */
export const linformerCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'linformer',
  paper: 50,
  build() {
    const shape = [1, HEADS, LENGTH, DIM];
    const { output } = linformerAttention(input('q', shape), input('k', shape), input('v', shape), {
      projectedLength: PROJECTED,
      sharing: 'none',
    });
    const count = HEADS * LENGTH * DIM;
    const projection = (seed: number) =>
      seeded(HEADS * PROJECTED * LENGTH, seed).map((w) => w / Math.sqrt(LENGTH));
    return {
      graph: makeGraph({ output }),
      params: { 'linformer.keyProjection': projection(4), 'linformer.valueProjection': projection(5) },
      inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
      dims: {},
    };
  },
};
