import { input, makeGraph, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { probabilisticAttentionScore } from '../spec/probabilistic-attention-score.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded, seededInRange } from './seeded-values.js';
import { squaredNorms } from './squared-norms.js';

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;

/**
 * Catalog paper 76's E-step at 4 heads × 24 positions × dim 16, with per-key precisions α in
 * [0.1, 0.5] and log priors: inputs `q`, `k` (the keys ζ), `v` (the means μ), `precision` and
 * `logPrior` (`[1, 4, 24]`); ‖q_i‖² and ‖ζ_j‖² are reductions in the graph.
 */
export const probabilisticAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'probabilistic-attention',
  paper: 76,
  build() {
    const shape = [1, HEADS, LENGTH, DIM];
    const query = input('q', shape);
    const key = input('k', shape);
    const perKey = [1, HEADS, LENGTH];
    const score = probabilisticAttentionScore({
      precision: tensorRef('precision', perKey),
      logPrior: tensorRef('logPrior', perKey),
      queryNormSquared: tensorRef('queryNormSquared', perKey),
      keyNormSquared: tensorRef('keyNormSquared', perKey),
    });
    const spec = attention({ heads: HEADS, headDim: DIM, score, name: 'probabilistic-attention' });
    const { output } = applyAttention(spec, {
      query,
      key,
      value: input('v', shape),
      tensors: {
        precision: input('precision', perKey),
        logPrior: input('logPrior', perKey),
        queryNormSquared: squaredNorms(query),
        keyNormSquared: squaredNorms(key),
      },
    });
    const count = HEADS * LENGTH * DIM;
    return {
      graph: makeGraph({ output }),
      params: {},
      inputs: {
        q: seeded(count, 1),
        k: seeded(count, 2),
        v: seeded(count, 3),
        precision: seededInRange(HEADS * LENGTH, 4, 0.1, 0.5),
        logPrior: seededInRange(HEADS * LENGTH, 5, -2, -0.5),
      },
      dims: {},
    };
  },
};
