import {
  add,
  argmax,
  concat,
  gather,
  input,
  makeGraph,
  matmul,
  mul,
  neg,
  param,
  reshape,
  sub,
  sum,
  tensorRef,
  transpose,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { scale, scoreMod } from '../spec/score-mods.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const NAME = 'sq-transformer-sal';
const HEADS = 4;
const LENGTH = 24;
/** Embedding width d (the paper's models use 512). */
const WIDTH = 16;
const HEAD_DIM = 8;
/** Codebook size of SoVQ. */
const CODES = 8;
/** Clip distance K of Shaw's relative positions: offsets i − j are clipped to [−K, K]. */
const CLIP = 4;
const OFFSETS = 2 * CLIP + 1;

/**
 * SQ-Transformer's Systematic Attention Layer (catalog paper 46) on a bidirectional encoder of 24
 * tokens, embedding width 16, 4 heads of dim 8:
 * - SoVQ: x̂_t = c_{k*}, k* = argmin_k ‖x_t − c_k‖ over an 8-entry codebook, as IR ops
 *   (‖c_k‖² − 2 x_t·c_k, argmax of its negation, a gather);
 * - scores from the quantized stream only, with Shaw relative keys:
 *   s_ij = (q̂_i·k̂_j + q̂_i·r^K_{clip(i−j)})/√d_h, q̂ = x̂W_Q, k̂ = x̂W_K — the q̂·r^K table
 *   `[B, H, N, 2K + 1]` is one matmul before the op, read by a score mod at the clipped offset;
 * - one score matrix applied to both value streams, as one value of width 2·d_h: [xW_V | x̂W_V];
 * - Shaw relative values Σ_j a_ij r^V_{clip(i−j)}, added to both streams: the kernel's
 *   relative-mass readout (2K + 1 sums per row in the same pass) times r^V.
 * Outputs `output` ([O | Ô] `[1, 4, 24, 16]`), `quantized` (x̂) and `relativeMass`. Input `x`
 * `[1, 1, 24, 16]`; parameters the codebook, W_Q, W_K, W_V `[1, 4, 16, 8]` (shared by both streams)
 * and r^K, r^V `[1, 1, 9, 8]` (K = 4, shared by the heads as in Shaw et al.).
 */
export const sqTransformerCatalogEntry: AttentionCatalogEntry = {
  mechanism: NAME,
  paper: 46,
  build() {
    const x = input('x', [1, 1, LENGTH, WIDTH]);
    const codebook = param(`${NAME}.codebook`, [CODES, WIDTH]);
    // ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖²; ‖x‖² is the same for every code, so it is left out.
    const codeNorms = reshape(sum(mul(codebook, codebook), -1), [1, 1, 1, CODES]);
    const cross = matmul(x, reshape(transpose(codebook), [1, 1, WIDTH, CODES]));
    const nearest = argmax(neg(sub(codeNorms, mul(cross, 2))), -1);
    const quantized = gather(codebook, nearest, 0);
    const weight = (part: string) => param(`${NAME}.${part}`, [1, HEADS, WIDTH, HEAD_DIM]);
    const offsetTable = (part: string) => param(`${NAME}.${part}`, [1, 1, OFFSETS, HEAD_DIM]);
    const valueWeights = weight('valueWeights');
    const query = matmul(quantized, weight('queryWeights'));
    const key = matmul(quantized, weight('keyWeights'));
    const value = concat([matmul(x, valueWeights), matmul(quantized, valueWeights)], 3);
    const relativeKeyScores = matmul(query, transpose(offsetTable('relativeKeys'), [0, 1, 3, 2]));
    const table = tensorRef('relativeKeyScores', [1, HEADS, LENGTH, OFFSETS]);
    const inverseRoot = 1 / Math.sqrt(HEAD_DIM);
    const spec = attention({
      name: NAME,
      heads: HEADS,
      headDim: HEAD_DIM,
      valueDim: 2 * HEAD_DIM,
      score: [
        scale(inverseRoot),
        scoreMod(
          (score, { b, h, q, k }) =>
            score.add(table.at(b, h, q, q.sub(k).max(-CLIP).min(CLIP).add(CLIP)).mul(inverseRoot)),
          `shawRelativeKeys(K=${CLIP})`,
        ),
      ],
      outputs: { relativeMass: CLIP },
    });
    const result = applyAttention(spec, { query, key, value, tensors: { relativeKeyScores } });
    const relativeMass = result.relativeMass!;
    const relativeValues = matmul(relativeMass, offsetTable('relativeValues'));
    const output = add(result.output, concat([relativeValues, relativeValues], 3));
    const codes = seeded(CODES * WIDTH, 21);
    // Each token is a code plus noise of a quarter of the codes' scale: its nearest code is clear.
    const noise = seeded(LENGTH * WIDTH, 22);
    const tokens = Float32Array.from(
      { length: LENGTH * WIDTH },
      (_, flat) =>
        codes[((Math.floor(flat / WIDTH) * 5) % CODES) * WIDTH + (flat % WIDTH)]! + 0.25 * noise[flat]!,
    );
    const weightCount = HEADS * WIDTH * HEAD_DIM;
    return {
      graph: makeGraph({ output, quantized, relativeMass }),
      params: {
        [`${NAME}.codebook`]: codes,
        [`${NAME}.queryWeights`]: seeded(weightCount, 23).map((w) => w / 2),
        [`${NAME}.keyWeights`]: seeded(weightCount, 24).map((w) => w / 2),
        [`${NAME}.valueWeights`]: seeded(weightCount, 25),
        [`${NAME}.relativeKeys`]: seeded(OFFSETS * HEAD_DIM, 26),
        [`${NAME}.relativeValues`]: seeded(OFFSETS * HEAD_DIM, 27),
      },
      inputs: { x: tokens },
      dims: {},
    };
  },
};
