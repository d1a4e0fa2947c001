import { ATTENTION_CATALOG, ATTENTION_OP, applyAttention, MULTI_TOKEN_OP } from '@weft/attention';
import { graphNodes, type Node } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { attentionFromJSON } from './attention-json.js';

// The zoo's attention entries build these catalog instances (batch 1, 4 heads, 24 positions, dim 16).
const t = (tensor: string, shape: number[], dtype?: 'i32') => ({
  tensor,
  shape,
  ...(dtype ? { dtype } : {}),
});
const base = { heads: 4, headDim: 16 };
const causal = { kind: 'causal' };
const perPosition = [1, 4, 24];

/** Each catalog mechanism's spec in JSON, or why it has none. */
const ZOO_JSON: Readonly<Record<string, object | { readonly notExpressible: string }>> = {
  'cross-attention-decoupled-dims': { ...base, valueDim: 8 },
  'nap-standardized-attention': {
    ...base,
    score: [{ kind: 'scale', value: 1 }],
    normalizer: { kind: 'nap', gain: t('nap.gain', [4]), bias: t('nap.bias', [4]) },
    outputs: { rowMax: true },
  },
  'qk-norm': {
    ...base,
    qkNorm: { kind: 'l2', scale: 'none' },
    score: [{ kind: 'scale', value: t('qkNorm.gain', [1]) }],
  },
  'lse-output': { ...base, outputs: { logSumExp: true } },
  'sigmoid-attention': { ...base, mask: causal, normalizer: { kind: 'sigmoid' } },
  'rnope-swa': {
    ...base,
    kvHeads: 2,
    positions: { kind: 'rope' },
    mask: { kind: 'and', masks: [causal, { kind: 'slidingWindow', window: 8 }] },
  },
  'nope-head-temperature': {
    ...base,
    positions: { kind: 'nope' },
    mask: causal,
    score: [{ kind: 'scale', value: t('nope.headScale', [4]) }],
  },
  'low-rank-bottleneck-head-dims': { heads: 2, headDim: 24, valueDim: 12 },
  'bam-generalized-gaussian-prior': {
    notExpressible: 'its prior −exp(σ_h)·|k − q − μ_h|^β_h is a scoreMod function (an Expr written in code)',
  },
  'weighted-gqa': {
    heads: { kind: 'weightedGqa', heads: 4, kvHeads: 2, weights: 'learned' },
    headDim: 16,
    mask: causal,
  },
  'rope-2d-image-grid': {
    ...base,
    qkNorm: { kind: 'layer', scale: 'vector' },
    positions: { kind: 'rope', dims: 2, grid: [4, 6], base: 100 },
  },
  'sparse-transformer-strided': { ...base, mask: { kind: 'stridedSparse', stride: 5 } },
  'multi-query-attention': { ...base, kvHeads: 1, mask: causal },
  'document-mask': {
    ...base,
    mask: {
      kind: 'and',
      masks: [causal, { kind: 'documentMask', segmentIds: t('segments', [1, 24], 'i32'), sorted: true }],
    },
  },
  'local-chunk-attention': { ...base, mask: { kind: 'overlappingChunks', size: 40, overlap: 5 } },
  'found-in-the-middle-key-bias': {
    ...base,
    score: [
      { kind: 'scale', value: 0.25 },
      { kind: 'keyBias', bias: t('keyBias', [24]) },
    ],
  },
  'faithful-key-mask': {
    ...base,
    mask: { kind: 'keySelection', selected: t('selection', [2, 24], 'i32'), prefix: 5 },
  },
  moba: {
    heads: 2,
    headDim: 16,
    mask: { kind: 'and', masks: [causal, { kind: 'mobaSelection', blockSize: 32, topK: 2 }] },
  },
  'flex-prefill': {
    ...base,
    mask: {
      kind: 'and',
      masks: [causal, { kind: 'flexPrefillSelection', blockSize: 32, gamma: 0.7, tau: 0.1 }],
    },
  },
  'sparse-transformer-fixed': { ...base, mask: { kind: 'fixedSparse', stride: 6, summary: 2 } },
  'attention-entropy-readout': { ...base, mask: causal, outputs: { entropy: true } },
  'ditto-diagonal-readout': { ...base, outputs: { diagonal: true } },
  'sentinel-last-row-probe': { ...base, mask: causal, outputs: { probeRows: [-1] } },
  'attention-basin-segment-mass': { ...base, mask: causal, outputs: { segmentMass: [0, 6, 12, 18] } },
  'star-attention-lse': { ...base, mask: causal, outputs: { logSumExp: true } },
  'softmax-sink': { ...base, mask: causal, normalizer: { kind: 'softmax', sink: t('sink', [4]) } },
  'adaptive-sparse-entmax': { ...base, normalizer: { kind: 'entmax', alpha: t('entmax.alpha', [4]) } },
  'transnormer-diag-attention': {
    ...base,
    score: [{ kind: 'scale', value: 0.25 }],
    mask: { kind: 'and', masks: [causal, { kind: 'chunked', size: 8 }] },
  },
  'entmax-1.5': { ...base, mask: causal, normalizer: { kind: 'entmax', alpha: 1.5 } },
  'sigma-diff-qkv': {
    heads: 4,
    kvHeads: 2,
    valueHeads: 4,
    headDim: 8,
    valueDim: 16,
    score: { kind: 'scale', value: 0.25 },
    mask: causal,
  },
  'comateformer-quasi-attention': {
    notExpressible: 'its affinity tanh(α·s)·σ(−β·‖q − k‖₁) is a scoreMod function over l1Distance',
  },
  'lightning-attention': {
    ...base,
    score: [
      { kind: 'scale', value: 1 },
      { kind: 'lightningDecay', slopes: t('lightning.slopes', [4]) },
    ],
    mask: causal,
    normalizer: { kind: 'identity', outputNorm: 'none' },
  },
  'pattern-injected-heads': (() => {
    const pattern = {
      kind: 'patternInjectedHeads',
      patterns: ['matchingToken', 'intraSentence', 'positional', 'learned'],
      tokenIds: t('tokenIds', [1, 24], 'i32'),
      sentenceIds: t('sentenceIds', [1, 24], 'i32'),
    };
    return { ...base, score: pattern, mask: pattern };
  })(),
  'probabilistic-attention': {
    ...base,
    score: {
      kind: 'probabilisticAttentionScore',
      precision: t('precision', perPosition),
      logPrior: t('logPrior', perPosition),
      queryNormSquared: t('queryNormSquared', perPosition),
      keyNormSquared: t('keyNormSquared', perPosition),
    },
  },
  'additive-attention': {
    ...base,
    score: {
      kind: 'additiveScore',
      queryProjection: t('queryProjection', [1, 4, 12, 8]),
      keyProjection: t('keyProjection', [1, 4, 24, 8]),
      weights: t('additive-attention.scoreWeights', [4, 8]),
      activation: 'tanh',
    },
  },
  'mlp-score-attention': {
    ...base,
    score: {
      kind: 'additiveScore',
      queryProjection: t('queryProjection', [1, 4, 24, 8]),
      keyProjection: t('keyProjection', [1, 4, 24, 8]),
      weights: t('mlp-score-attention.scoreWeights', [4, 8]),
      activation: 'relu',
    },
    mask: causal,
  },
  'attention-sorting-scores': {
    notExpressible:
      'the scores average two attention ops’ segment-mass readouts over layers and heads with IR ops',
  },
  'massive-values-qk-norms': {
    notExpressible: 'per-dimension norms of Q and K are IR reductions beside the attention op, not in it',
  },
  'attention-rollout': {
    notExpressible: 'the rollout chains the layers’ probability maps with IR ops after the attention ops',
  },
  'deceptive-attention-penalty': {
    notExpressible: 'the subset mass and the penalty are IR ops over the attention op’s probe row',
  },
  'star-attention': {
    notExpressible:
      'phase 2 is five attention ops over slices of the rotated keys merged by mergeAttention (phase 1 alone is the anchorBlocks mask)',
  },
  'block-attention-rag': {
    notExpressible:
      'passages are separate attention ops whose cached keys are re-rotated by IR ops and concatenated',
  },
  'visual-sentinel': {
    notExpressible:
      'the sentinel slot is merged after the attention op (withSentinel), a composition of IR ops',
  },
  'core-reid-channel-spatial': {
    notExpressible: 'channel and spatial gates of a CNN feature map: IR ops, no attention op',
  },
  'adaptive-filter-attention': {
    notExpressible:
      'its score is a scoreMod function of the dot product, the norms, Δ and per-head scalars, and its rotations are IR ops',
  },
  'sq-transformer-sal': {
    notExpressible:
      'its Shaw relative key term is a scoreMod function reading q·r^K at the clipped offset, and SoVQ and the relative values are IR ops around the op',
  },
  'nested-attention': {
    notExpressible:
      'the subject value is a second attention op merged through withSentinel, a composition of IR ops',
  },
  'soft-gaussian-kernel': {
    ...base,
    score: {
      kind: 'gaussianKernelScore',
      queryNormSquared: t('normSquared', perPosition),
      keyNormSquared: t('normSquared', perPosition),
    },
    normalizer: { kind: 'identity', outputNorm: 'none' },
  },
  'attention-sink-calibration': {
    notExpressible:
      'ACT finds its sinks from column sums of the attention (a transposed attention kernel and IR ops) and mixes two attention ops',
  },
  'hyper-attention': {
    notExpressible:
      'sortLSH, the gathers by the computed order and the sampled residual are IR ops around two attention ops',
  },
  'hyper-attention-causal': {
    notExpressible: 'the recursive halving builds attention ops per level around reshapes, slices and merges',
  },
  nats: {
    notExpressible:
      'its key lifetimes come from per-head type logits W_type x, graph nodes (natsKeyLifetimes builds them)',
  },
  'learnable-token-eviction': {
    notExpressible:
      'its key lifetimes come from a convolution router over concat(k, v), graph nodes (lteRouterLogits builds them)',
  },
  loki: {
    notExpressible:
      'its key selection is computed from a principal-direction projection, a graph node (lokiSelection takes it)',
  },
  'native-sparse-attention': {
    notExpressible:
      'three attention ops over compressed, selected and windowed keys mixed by gates, with the selection built by IR ops between them',
  },
  'sparsek-attention': {
    notExpressible:
      'the SparseK threshold is an op of its own over IR-op scores, feeding two attention ops whose LSEs rescale the output',
  },
  'normalized-attention-guidance': {
    notExpressible:
      'two attention ops (positive and negative prompt) whose merged-heads outputs an L1-clipped extrapolation of IR ops combines',
  },
  'delta-attention': {
    notExpressible:
      'a sparse and a strided dense attention op whose difference IR ops broadcast over blocks of queries',
  },
  'recurrent-memory-stand-in': {
    notExpressible:
      'three attention ops over two key sources whose sum, residual and gated memory update are IR ops around them',
  },
  dhsa: {
    notExpressible:
      'its selection is built by IR ops (chunk pooling, score matmuls, topk) from the chunk ids before the attention op',
  },
  'soft-nystrom-attention': {
    notExpressible: 'the Nyström form is a chain of IR ops around a pseudo-inverse, not an attention op',
  },
  linformer: {
    notExpressible: 'sequence projections E K, F V are matmuls before the attention op, outside its spec',
  },
  nystromformer: {
    notExpressible: 'landmarks, the m×m softmax and its pseudo-inverse are IR ops around two attention ops',
  },
  'set-transformer': {
    notExpressible:
      'MAB, SAB, ISAB and PMA are blocks of projections, LayerNorm and rFF around attention ops',
  },
  'mixture-of-heads': {
    notExpressible: 'the per-sequence head gate is an MLP and softmax over heads outside the attention op',
  },
  'multi-head-embeddings': {
    notExpressible:
      'the head axis comes from broadcasting one projection against per-head embeddings before the op',
  },
  'attention-free-ffn': {
    notExpressible: 'a feed-forward network over the flattened sequence, no attention op',
  },
  'layerwise-shortcuts': {
    notExpressible:
      'the feature maps and the sequence concatenation of tapped layers are IR ops before the op',
  },
  'lama-pooling': {
    notExpressible: 'the per-head queries s_k q_k and the normalized keys are IR ops before the op',
  },
  'pay-better-attention': {
    notExpressible: 'identity key/value slices and the W_A token mix are IR ops before the op',
  },
  'skim-attention': {
    notExpressible: 'the shared layout projections and per-layer V/O/LayerNorm are IR ops around the ops',
  },
  'dual-attention': {
    notExpressible:
      'relational heads need values built from relation keys and symbols, and a query-side epilogue',
  },
  'layer-stack-attention': {
    notExpressible: 'tokens become the batch and earlier layers the keys by reshapes before the op',
  },
  'lssa-softplus-reweighting': {
    ...base,
    mask: causal,
    normalizer: { kind: 'softplusNormalized', lengthScale: 'log', reweight: { form: 'power', power: 2 } },
  },
  'top-theta': {
    ...base,
    mask: causal,
    normalizer: { kind: 'topTheta', threshold: t('topTheta.theta', [4]), compensation: 'valueMean' },
  },
  fastmax: {
    ...base,
    score: [{ kind: 'scale', value: 1 }],
    mask: causal,
    normalizer: { kind: 'polynomialNormalized', degree: 2 },
  },
  'landmark-grouped-softmax': { ...base, mask: causal, normalizer: { kind: 'groupedSoftmax', blockSize: 5 } },
  'landmark-retrieval-decode': {
    notExpressible:
      'the retrieval (landmark scores, topk, gathers of the chosen blocks) is IR ops around the attention op',
  },
  // Its nodes are `attention.multiToken` nodes, rebuilt by the test of their own below.
  'multi-token-attention': {
    heads: 4,
    headDim: 8,
    mask: causal,
    scoreMap: {
      kind: 'multiTokenConvolution',
      queryKernel: 3,
      keyKernel: 5,
      headMixing: { groupSize: 2, placement: 'postSoftmax' },
      groupNorm: true,
    },
  },
  'p-laplacian-adapter': {
    ...base,
    normalizer: { kind: 'pLaplacian', features: t('q', [1, 4, 24, 16]), p: 1.5, mu: 0.5 },
  },
};

/** The catalog graph's attention node (the `output` one) rebuilt from the JSON spec, on the same operands. */
function rebuiltFromJSON(node: Node, json: object, name: string): Node {
  const names = (node.attrs.tensors as readonly { readonly name: string }[]).map((use) => use.name);
  const spec = attentionFromJSON(JSON.parse(JSON.stringify(json)), { name });
  const [query, key, value, ...captured] = node.inputs;
  return applyAttention(spec, {
    query: query!,
    key: key!,
    value: value!,
    tensors: Object.fromEntries(names.map((tensor, index) => [tensor, captured[index]!])),
  }).output;
}

describe('the attention zoo in JSON', () => {
  it('has a JSON spec, or a reason why not, for every catalog mechanism', () => {
    expect(Object.keys(ZOO_JSON).sort()).toEqual(ATTENTION_CATALOG.map((entry) => entry.mechanism).sort());
  });

  it.each(
    ATTENTION_CATALOG.filter(
      (entry) =>
        !('notExpressible' in ZOO_JSON[entry.mechanism]!) && entry.mechanism !== 'multi-token-attention',
    ).map((entry) => [entry.mechanism, entry] as const),
  )('%s: its JSON spec builds the same attention node', (mechanism, entry) => {
    const nodes = graphNodes(entry.build().graph).filter(
      (node) => node.op === ATTENTION_OP && node.attrs.output === 'output',
    );
    expect(nodes).toHaveLength(1);
    expect(rebuiltFromJSON(nodes[0]!, ZOO_JSON[mechanism]!, mechanism).hash).toBe(nodes[0]!.hash);
  });

  it('multi-token-attention: its JSON spec builds the same statistics and output nodes', () => {
    const entry = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'multi-token-attention')!;
    const output = entry.build().graph.outputs.output!;
    expect(output.op).toBe(MULTI_TOKEN_OP);
    const spec = attentionFromJSON(JSON.parse(JSON.stringify(ZOO_JSON['multi-token-attention'])), {
      name: 'multi-token-attention',
    });
    const [query, key, value] = output.inputs;
    expect(applyAttention(spec, { query: query!, key: key!, value: value! }).output.hash).toBe(output.hash);
  });

  it('expresses 41 of the 80 mechanisms (the other thirty-nine need code)', () => {
    const expressible = Object.values(ZOO_JSON).filter((json) => !('notExpressible' in json));
    expect([expressible.length, ATTENTION_CATALOG.length]).toEqual([41, 80]);
  });
});
