import { add, input, makeGraph, matmul, param, reshape, tanh, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { additiveScore } from '../spec/additive-score.js';
import { attention } from '../spec/attention-spec.js';
import { withSentinel } from '../visual-sentinel.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const HEADS = 2;
const STEPS = 6;
const REGIONS = 12;
const DIM = 16;
const WIDTH = 8;
const NAME = 'visual-sentinel';

/**
 * "Knowing When to Look" (catalog paper 108) at small sizes: 6 decoder states h_t attend to 12
 * regions v_i (keys and values) with z_ti = w_hᵀ tanh(W_v v_i + W_g h_t) in the kernel's score hook,
 * and a per-step sentinel s_t (input `s`) joins each row as one more slot with logit
 * w_hᵀ tanh(W_s s_t + W_g h_t): outputs ĉ_t (`output`) and β_t (`sentinelWeight`). Inputs `q` (the
 * states), `k` (the regions), `s`; per-head W_v, W_g, W_s `[1, 2, 16, 8]` and w_h `[2, 8]`.
 */
export const visualSentinelCatalogEntry: AttentionCatalogEntry = {
  mechanism: NAME,
  paper: 108,
  build() {
    const states = input('q', [1, HEADS, STEPS, DIM]);
    const regions = input('k', [1, HEADS, REGIONS, DIM]);
    const sentinel = input('s', [1, HEADS, STEPS, DIM]);
    const weight = (part: string) => param(`${NAME}.${part}`, [1, HEADS, DIM, WIDTH]);
    const scoreWeights = param(`${NAME}.scoreWeights`, [HEADS, WIDTH]);
    const stateProjection = matmul(states, weight('stateWeights'));
    const spec = attention({
      name: NAME,
      heads: HEADS,
      headDim: DIM,
      score: additiveScore({
        queryProjection: tensorRef('stateProjection', [1, HEADS, STEPS, WIDTH]),
        keyProjection: tensorRef('regionProjection', [1, HEADS, REGIONS, WIDTH]),
        weights: tensorRef(`${NAME}.scoreWeights`, [HEADS, WIDTH]),
      }),
      outputs: { logSumExp: true },
    });
    const attended = applyAttention(spec, {
      query: states,
      key: regions,
      value: regions,
      tensors: {
        stateProjection,
        regionProjection: matmul(regions, weight('regionWeights')),
        [`${NAME}.scoreWeights`]: scoreWeights,
      },
    });
    const hidden = tanh(add(matmul(sentinel, weight('sentinelWeights')), stateProjection));
    const logit = reshape(matmul(hidden, reshape(scoreWeights, [1, HEADS, WIDTH, 1])), [1, HEADS, STEPS]);
    const { output, sentinelWeight } = withSentinel(
      { output: attended.output, logSumExp: attended.logSumExp! },
      { logit, value: sentinel },
      NAME,
    );
    const weightCount = HEADS * DIM * WIDTH;
    const scaled = (seed: number) => seeded(weightCount, seed).map((x) => x / Math.sqrt(DIM));
    return {
      graph: makeGraph({ output, sentinelWeight }),
      params: {
        [`${NAME}.stateWeights`]: scaled(21),
        [`${NAME}.regionWeights`]: scaled(22),
        [`${NAME}.sentinelWeights`]: scaled(23),
        [`${NAME}.scoreWeights`]: seeded(HEADS * WIDTH, 24).map((x) => x * 2),
      },
      inputs: {
        q: seeded(HEADS * STEPS * DIM, 1),
        k: seeded(HEADS * REGIONS * DIM, 2),
        s: seeded(HEADS * STEPS * DIM, 3),
      },
      dims: {},
    };
  },
};
