import { add, input, makeGraph, matmul, param, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { type AdditiveScoreActivation, additiveScore } from '../spec/additive-score.js';
import { attention } from '../spec/attention-spec.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const HEADS = 4;
const KEYS = 24;
const DIM = 16;
/** The hidden width C of the score (d_att). */
const WIDTH = 8;

interface AdditiveEntryOptions {
  readonly mechanism: string;
  readonly paper: number;
  readonly activation: AdditiveScoreActivation;
  /** Query rows (decoder states) and whether they attend causally to keys of the same sequence. */
  readonly queries: number;
  readonly causal: boolean;
}

/**
 * An additive-score attention instance: e_ij = Σ_c U_hc σ((h_i W_d)_c + (a_j W_c)_c + b_c) with
 * per-head W_d, W_c `[1, heads, dim, C]`, b_c `[1, heads, 1, C]` and U `[heads, C]` parameters, the
 * projections as matmuls before the attention op and the sum inside its score hook. Values are the
 * annotations a_j themselves (the keys), as in Show, Attend and Tell's ctx_t = Σ_i α_ti a_i.
 */
function additiveEntry(options: AdditiveEntryOptions): AttentionCatalogEntry {
  const name = options.mechanism;
  return {
    mechanism: name,
    paper: options.paper,
    build() {
      const states = input('q', [1, HEADS, options.queries, DIM]);
      const annotations = input('k', [1, HEADS, KEYS, DIM]);
      const queryWeights = param(`${name}.queryWeights`, [1, HEADS, DIM, WIDTH]);
      const keyWeights = param(`${name}.keyWeights`, [1, HEADS, DIM, WIDTH]);
      const keyBias = param(`${name}.keyBias`, [1, HEADS, 1, WIDTH]);
      const spec = attention({
        name,
        heads: HEADS,
        headDim: DIM,
        score: additiveScore({
          queryProjection: tensorRef('queryProjection', [1, HEADS, options.queries, WIDTH]),
          keyProjection: tensorRef('keyProjection', [1, HEADS, KEYS, WIDTH]),
          weights: tensorRef(`${name}.scoreWeights`, [HEADS, WIDTH]),
          activation: options.activation,
        }),
        ...(options.causal ? { mask: causal() } : {}),
      });
      const { output } = applyAttention(spec, {
        query: states,
        key: annotations,
        value: annotations,
        tensors: {
          queryProjection: matmul(states, queryWeights),
          keyProjection: add(matmul(annotations, keyWeights), keyBias),
          [`${name}.scoreWeights`]: param(`${name}.scoreWeights`, [HEADS, WIDTH]),
        },
      });
      const weightCount = HEADS * DIM * WIDTH;
      return {
        graph: makeGraph({ output }),
        params: {
          // ~1/√dim so the hidden pre-activations stay in tanh's curved range.
          [`${name}.queryWeights`]: seeded(weightCount, 11).map((x) => x / Math.sqrt(DIM)),
          [`${name}.keyWeights`]: seeded(weightCount, 12).map((x) => x / Math.sqrt(DIM)),
          [`${name}.keyBias`]: seeded(HEADS * WIDTH, 13).map((x) => x * 0.5),
          [`${name}.scoreWeights`]: seeded(HEADS * WIDTH, 14).map((x) => x * 2),
        },
        inputs: {
          q: seeded(HEADS * options.queries * DIM, 1),
          k: seeded(HEADS * KEYS * DIM, 2),
        },
        dims: {},
      };
    },
  };
}

/**
 * Show, Attend and Tell's soft attention (catalog paper 10): 12 decoder states attend to 24
 * annotations with the additive score U_attᵀ tanh(W_c a_i + b_c + W_d h) (c_att dropped: it cancels
 * in the softmax); 4 heads, dim 16, C = 8.
 */
export const additiveAttentionCatalogEntry = additiveEntry({
  mechanism: 'additive-attention',
  paper: 10,
  activation: 'tanh',
  queries: 12,
  causal: false,
});

/**
 * Neural Attention's MLP score (catalog paper 15, the paper's one-hidden-layer formula):
 * s_ij = w_aᵀ ReLU(W_h [q_i; k_j] + b_h), W_h [q; k] split as W_q q + W_k k, causal self-attention
 * over 24 tokens (b_a dropped: it cancels in the softmax); 4 heads, dim 16, d' = 8.
 */
export const mlpScoreAttentionCatalogEntry = additiveEntry({
  mechanism: 'mlp-score-attention',
  paper: 15,
  activation: 'relu',
  queries: KEYS,
  causal: true,
});
