import { type Graph, input, makeGraph, type Node, param, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import {
  causal,
  chunked,
  documentMask,
  fixedSparse,
  overlappingChunks,
  slidingWindow,
  stridedSparse,
} from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { type AttentionOptions, attention } from '../spec/attention-spec.js';
import { weightedGqa } from '../spec/heads.js';
import {
  entmax,
  identity,
  nap,
  sigmoid,
  softmax,
  softplusNormalized,
  topTheta,
} from '../spec/normalizers.js';
import { nope, rope } from '../spec/positions.js';
import { qkNorm } from '../spec/qk-norm.js';
import { keyBias, scale } from '../spec/score-mods.js';
import { adaptiveFilterCatalogEntry } from './adaptive-filter-entry.js';
import { additiveAttentionCatalogEntry, mlpScoreAttentionCatalogEntry } from './additive-score-entry.js';
import {
  attentionRolloutCatalogEntry,
  attentionSortingCatalogEntry,
  deceptionPenaltyCatalogEntry,
  massiveValuesCatalogEntry,
} from './analysis-readout-entries.js';
import { attentionSinkCalibrationCatalogEntry } from './attention-sink-calibration-entry.js';
import { blockAttentionRagCatalogEntry } from './block-attention-rag-entry.js';
import { bamPrior, comateformerScore } from './catalog-score-mods.js';
import { COMPOSITION_CATALOG } from './composition-catalog.js';
import { diffQkvCatalogEntry } from './diff-qkv-entry.js';
import { faithfulKeyMaskCatalogEntry } from './faithful-key-mask-entry.js';
import { fastmaxCatalogEntry } from './fastmax-entry.js';
import { flexPrefillCatalogEntry } from './flex-prefill-entry.js';
import { hyperAttentionCatalogEntry, hyperAttentionCausalCatalogEntry } from './hyper-attention-entry.js';
import { landmarkGroupedSoftmaxCatalogEntry } from './landmark-grouped-softmax-entry.js';
import { landmarkRetrievalCatalogEntry } from './landmark-retrieval-entry.js';
import { lightningAttentionCatalogEntry } from './lightning-attention-entry.js';
import { lokiCatalogEntry } from './loki-entry.js';
import { lteCatalogEntry } from './lte-entry.js';
import { mobaCatalogEntry } from './moba-entry.js';
import { multiTokenAttentionCatalogEntry } from './multi-token-attention-entry.js';
import { natsCatalogEntry } from './nats-entry.js';
import { nestedAttentionCatalogEntry } from './nested-attention-entry.js';
import { pLaplacianAdapterCatalogEntry } from './p-laplacian-adapter-entry.js';
import { patternInjectedHeadsCatalogEntry } from './pattern-injected-heads-entry.js';
import { probabilisticAttentionCatalogEntry } from './probabilistic-attention-entry.js';
import { seeded } from './seeded-values.js';
import { softGaussianKernelCatalogEntry } from './soft-gaussian-kernel-entry.js';
import { softNystromCatalogEntry } from './soft-nystrom-entry.js';
import { sqTransformerCatalogEntry } from './sq-transformer-entry.js';
import { starAttentionCatalogEntry } from './star-attention-entry.js';
import { visualSentinelCatalogEntry } from './visual-sentinel-entry.js';

/** A ready-to-run instance of one catalog mechanism, with small shapes and seeded data. */
export interface AttentionCatalogInstance {
  /** The graph (outputs `output`, and `logSumExp` or a readout where the mechanism needs it). */
  readonly graph: Graph;
  /** Parameter values by name. */
  readonly params: Readonly<Record<string, Float32Array>>;
  /** Input values by name (`Int32Array` for id and length tensors). */
  readonly inputs: Readonly<Record<string, Float32Array | Int32Array>>;
  /** Symbolic dim bindings (none: the shapes are static). */
  readonly dims: Readonly<Record<string, number>>;
}

/** One supported G1/G2 mechanism of the catalog (`docs/catalog/`). */
export interface AttentionCatalogEntry {
  /** Mechanism name (the zoo file name). */
  readonly mechanism: string;
  /** Catalog paper id; `null` for a mechanism from outside the catalog (the learned sink logit). */
  readonly paper: number | null;
  /** Builds the graph and its data. */
  build(): AttentionCatalogInstance;
}

const BATCH = 1;
const HEADS = 4;
const LENGTH = 24;
const DIM = 16;

/**
 * One entry per supported G1/G2 paper: the spec of its mechanism applied to small seeded inputs
 * (batch 1, 4 heads, 24 positions, head dim 16), for the zoo.
 */
export const ATTENTION_CATALOG: readonly AttentionCatalogEntry[] = [
  entry('cross-attention-decoupled-dims', 5, { heads: HEADS, headDim: DIM, valueDim: 8 }, { queries: 10 }),
  entry(
    'nap-standardized-attention',
    8,
    {
      heads: HEADS,
      headDim: DIM,
      score: [scale(1)],
      normalizer: nap({ gain: tensorRef('nap.gain', [HEADS]), bias: tensorRef('nap.bias', [HEADS]) }),
      outputs: { rowMax: true },
    },
    { params: { 'nap.gain': [1, 0.5, -0.75, 1.25], 'nap.bias': [0, 0.1, -0.05, 0.02] } },
  ),
  entry(
    'qk-norm',
    12,
    {
      heads: HEADS,
      headDim: DIM,
      qkNorm: qkNorm({ kind: 'l2', scale: 'none' }),
      score: [scale(tensorRef('qkNorm.gain', [1]))],
    },
    { params: { 'qkNorm.gain': [Math.log2(LENGTH * LENGTH - LENGTH)] } },
  ),
  entry('lse-output', 18, { heads: HEADS, headDim: DIM, outputs: { logSumExp: true } }),
  // Readouts (G7), written by the kernel that computes O.
  entry('attention-entropy-readout', 88, {
    heads: HEADS,
    headDim: DIM,
    mask: causal(),
    outputs: { entropy: true },
  }),
  entry('ditto-diagonal-readout', 79, { heads: HEADS, headDim: DIM, outputs: { diagonal: true } }),
  entry('sentinel-last-row-probe', 42, {
    heads: HEADS,
    headDim: DIM,
    mask: causal(),
    outputs: { probeRows: [-1] },
  }),
  entry('attention-basin-segment-mass', 14, {
    heads: HEADS,
    headDim: DIM,
    mask: causal(),
    outputs: { segmentMass: [0, 6, 12, 18] },
  }),
  attentionSortingCatalogEntry,
  massiveValuesCatalogEntry,
  attentionRolloutCatalogEntry,
  deceptionPenaltyCatalogEntry,
  entry('sigmoid-attention', 21, { heads: HEADS, headDim: DIM, mask: causal(), normalizer: sigmoid() }),
  entry('rnope-swa', 24, {
    heads: HEADS,
    kvHeads: 2,
    headDim: DIM,
    positions: rope(),
    mask: and(causal(), slidingWindow(8)),
  }),
  entry(
    'nope-head-temperature',
    39,
    {
      heads: HEADS,
      headDim: DIM,
      positions: nope(),
      mask: causal(),
      score: [scale(tensorRef('nope.headScale', [HEADS]))],
    },
    { params: { 'nope.headScale': [0.2, 0.25, 0.3, 0.35] } },
  ),
  entry('low-rank-bottleneck-head-dims', 40, { heads: 2, headDim: 24, valueDim: 12 }),
  entry(
    'bam-generalized-gaussian-prior',
    41,
    { heads: HEADS, headDim: DIM, mask: causal(), score: [bamPrior(HEADS)] },
    {
      params: {
        'bam.logScale': [-1, -2, -3, -4],
        'bam.shape': [1, 1.5, 2, 1],
        'bam.location': [0, 0.5, 0, -0.5],
      },
    },
  ),
  entry(
    'weighted-gqa',
    47,
    { heads: weightedGqa({ heads: HEADS, kvHeads: 2, weights: 'learned' }), headDim: DIM, mask: causal() },
    // Near the GQA grouping (one-hot rows), as after up-training from a mean-pooled start.
    { ownedParams: { 'weighted-gqa.kvWeights': [0.9, 0.1, 0.8, 0.3, 0.2, 1.1, -0.1, 0.95] } },
  ),
  entry(
    'rope-2d-image-grid',
    5,
    {
      heads: HEADS,
      headDim: DIM,
      qkNorm: qkNorm({ kind: 'layer', scale: 'vector' }),
      positions: rope({ dims: 2, grid: [4, 6], base: 100 }),
    },
    {
      ownedParams: {
        'rope-2d-image-grid.qNorm.gamma': Array.from({ length: DIM }, (_, d) => 0.6 + 0.03 * (d % 5)),
        'rope-2d-image-grid.kNorm.gamma': Array.from({ length: DIM }, (_, d) => 0.6 - 0.02 * (d % 3)),
      },
    },
  ),
  entry('sparse-transformer-strided', 53, { heads: HEADS, headDim: DIM, mask: stridedSparse(5) }),
  entry('multi-query-attention', 54, { heads: HEADS, kvHeads: 1, headDim: DIM, mask: causal() }),
  entry(
    'document-mask',
    60,
    {
      heads: HEADS,
      headDim: DIM,
      mask: and(causal(), documentMask(tensorRef('segments', [BATCH, LENGTH], 'i32'), { sorted: true })),
    },
    {
      inputs: { segments: Int32Array.from({ length: LENGTH }, (_, i) => Math.floor(i / 7)) },
    },
  ),
  // TKL's own chunking: chunks of 40 with 5 positions of overlap on each side, over 100 positions
  // (the last chunk is partial).
  entry(
    'local-chunk-attention',
    51,
    { heads: HEADS, headDim: DIM, mask: overlappingChunks(40, 5) },
    { length: 100 },
  ),
  entry(
    'found-in-the-middle-key-bias',
    74,
    {
      heads: HEADS,
      headDim: DIM,
      score: [scale(1 / Math.sqrt(DIM)), keyBias(tensorRef('keyBias', [LENGTH]))],
    },
    {
      inputs: { keyBias: Float32Array.from({ length: LENGTH }, (_, i) => Math.log(1 + (i % 5))) },
    },
  ),
  faithfulKeyMaskCatalogEntry,
  mobaCatalogEntry,
  flexPrefillCatalogEntry,
  lokiCatalogEntry,
  natsCatalogEntry,
  lteCatalogEntry,
  entry('sparse-transformer-fixed', 53, { heads: HEADS, headDim: DIM, mask: fixedSparse(6, 2) }),
  // Paper 18's forward: sortLSH, diagonal blocks of the sorted order, sampled residual; causal by halving.
  hyperAttentionCatalogEntry,
  hyperAttentionCausalCatalogEntry,
  entry('star-attention-lse', 99, {
    heads: HEADS,
    headDim: DIM,
    mask: causal(),
    outputs: { logSumExp: true },
  }),
  starAttentionCatalogEntry,
  blockAttentionRagCatalogEntry,
  entry(
    // gpt-oss's learned sink logit: not a catalog paper (paper 25, ACT, calibrates sinks otherwise).
    'softmax-sink',
    null,
    { heads: HEADS, headDim: DIM, mask: causal(), normalizer: softmax({ sink: tensorRef('sink', [HEADS]) }) },
    { params: { sink: [0, 0.5, 1, -1] } },
  ),
  // Paper 25 (ACT): sinks found from column scores on the device, their weight redistributed.
  attentionSinkCalibrationCatalogEntry,
  entry(
    'adaptive-sparse-entmax',
    2,
    { heads: HEADS, headDim: DIM, normalizer: entmax({ alpha: tensorRef('entmax.alpha', [HEADS]) }) },
    { params: { 'entmax.alpha': [1.2, 1.5, 1.8, 2] } },
  ),
  // TransNormer's DiagAttention (paper 49, the early layers): softmax(QKᵀ/√d) restricted to
  // non-overlapping diagonal blocks of 8, causal inside a block. Its NormAttention (the later
  // layers) is linear attention: `transnormer-norm-attention` in `@weft/attention/linear`.
  entry('transnormer-diag-attention', 49, {
    heads: HEADS,
    headDim: DIM,
    score: [scale(1 / Math.sqrt(DIM))],
    mask: and(causal(), chunked(8)),
  }),
  entry('entmax-1.5', 90, { heads: HEADS, headDim: DIM, mask: causal(), normalizer: entmax({ alpha: 1.5 }) }),
  diffQkvCatalogEntry,
  // Signed weights M = tanh(α·E)·σ(−β·‖q − k‖₁) in (−1, 1), O = M·V: no denominator, no output norm.
  entry('comateformer-quasi-attention', 23, {
    heads: HEADS,
    headDim: DIM,
    score: [comateformerScore(1, 0.1)],
    normalizer: identity({ outputNorm: 'none' }),
  }),
  // Paper 63's quadratic form, paper 75's pattern heads, paper 76's E-step and paper 83's Gaussian
  // kernel (ratio 1: the attention op; Nyström: IR ops only), in their own files.
  lightningAttentionCatalogEntry,
  patternInjectedHeadsCatalogEntry,
  probabilisticAttentionCatalogEntry,
  softGaussianKernelCatalogEntry,
  softNystromCatalogEntry,
  // Papers 10 and 15: additive (tanh) and MLP (ReLU) scores, Σ_c v_c σ(a_ic + b_jc) in the score hook.
  additiveAttentionCatalogEntry,
  mlpScoreAttentionCatalogEntry,
  // Paper 108: the additive score plus a per-query sentinel slot, merged through the log-sum-exp.
  visualSentinelCatalogEntry,
  // Paper 68: the subject token's per-query value through the same slot, its probability exported.
  nestedAttentionCatalogEntry,
  // Paper 43: the score map convolved over (query, key), heads mixed after the softmax (two kernels).
  multiTokenAttentionCatalogEntry,
  // Paper 46: SAL, scores from the quantized stream over two value streams, Shaw relative keys (a
  // score mod) and values (the kernel's relative-offset mass times r^V).
  sqTransformerCatalogEntry,
  // Paper 20: the isotropic AFA score over the rotated dot product, norms, Δ and per-head scalars.
  adaptiveFilterCatalogEntry,
  // LSSAR (paper 113): c_i = ln N_i, then g = A² renormalized (the unverified defaults).
  entry('lssa-softplus-reweighting', 113, {
    heads: HEADS,
    headDim: DIM,
    mask: causal(),
    normalizer: softplusNormalized({ lengthScale: 'log', reweight: { form: 'power', power: 2 } }),
  }),
  // Top-θ (paper 114) with per-head thresholds as a calibrated parameter and V-mean compensation.
  entry(
    'top-theta',
    114,
    {
      heads: HEADS,
      headDim: DIM,
      mask: causal(),
      normalizer: topTheta({ threshold: tensorRef('topTheta.theta', [HEADS]), compensation: 'valueMean' }),
    },
    { params: { 'topTheta.theta': [-0.1, 0, 0.1, 0.2] } },
  ),
  fastmaxCatalogEntry,
  landmarkGroupedSoftmaxCatalogEntry,
  landmarkRetrievalCatalogEntry,
  pLaplacianAdapterCatalogEntry,
  ...COMPOSITION_CATALOG,
];

interface EntryOptions {
  readonly queries?: number;
  /** Key positions (and queries, unless `queries` is set). Default 24. */
  readonly length?: number;
  /** Parameters bound by name as `[n]` tensors. */
  readonly params?: Readonly<Record<string, readonly number[]>>;
  /** Values of parameters the spec owns (`param` nodes made by `applyAttention`, any shape). */
  readonly ownedParams?: Readonly<Record<string, readonly number[]>>;
  readonly inputs?: Readonly<Record<string, Float32Array | Int32Array>>;
}

function entry(
  mechanism: string,
  paper: number | null,
  options: AttentionOptions,
  extra: EntryOptions = {},
): AttentionCatalogEntry {
  return {
    mechanism,
    paper,
    build() {
      const spec = attention({ ...options, name: mechanism });
      const length = extra.length ?? LENGTH;
      const queries = extra.queries ?? length;
      const kvHeads = spec.kvHeads;
      const query = input('q', [BATCH, spec.heads, queries, spec.headDim]);
      const key = input('k', [BATCH, kvHeads, length, spec.headDim]);
      const value = input('v', [BATCH, spec.valueHeads, length, spec.valueDim]);
      const tensors: Record<string, Node> = {};
      for (const [name, values] of Object.entries(extra.params ?? {}))
        tensors[name] = param(name, [values.length]);
      for (const [name, values] of Object.entries(extra.inputs ?? {})) {
        tensors[name] = input(
          name,
          name === 'segments' ? [BATCH, length] : [values.length],
          values instanceof Int32Array ? 'i32' : 'f32',
        );
      }
      const result = applyAttention(spec, { query, key, value, tensors });
      const outputs: Record<string, Node> = { output: result.output };
      if (result.logSumExp !== undefined) outputs.logSumExp = result.logSumExp;
      if (result.rowMax !== undefined) outputs.rowMax = result.rowMax;
      for (const readout of ['entropy', 'diagonal', 'segmentMass', 'probeRows'] as const) {
        const node = result[readout];
        if (node !== undefined) outputs[readout] = node;
      }
      return {
        graph: makeGraph(outputs),
        params: Object.fromEntries(
          Object.entries({ ...extra.params, ...extra.ownedParams }).map(([name, values]) => [
            name,
            Float32Array.from(values),
          ]),
        ),
        inputs: {
          q: seeded(BATCH * spec.heads * queries * spec.headDim, 1),
          k: seeded(BATCH * kvHeads * length * spec.headDim, 2),
          v: seeded(BATCH * spec.valueHeads * length * spec.valueDim, 3),
          ...extra.inputs,
        },
        dims: {},
      };
    },
  };
}
