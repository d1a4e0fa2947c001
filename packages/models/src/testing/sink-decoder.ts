import { rope, slidingWindow, softmax } from '@weft/attention';
import { param, tensorRef } from '@weft/ir';
import type { SelfAttentionParts } from '../blocks/attention-part.js';
import { rmsNormLayer } from '../blocks/norm-layers.js';
import type { DecoderLmDefinition } from '../model/decoder-graph.js';
import type { ModelSpecV2Input } from '../spec/model-spec-v2-types.js';

/** The layer of {@link SINK_DECODER} whose attention an override changes: a sliding window of 4 keys, one sink for all heads. */
export const SINK_DECODER_WINDOW_LAYER = 2;

/**
 * One layer's attention of {@link SINK_DECODER}: softmax with a learned sink logit per head, the
 * tensor `layers.{i}.attn.sink` bound to the parameter of that name.
 */
function sinkAttention(layer: number): SelfAttentionParts {
  const windowed = layer === SINK_DECODER_WINDOW_LAYER;
  const name = `layers.${layer}.attn.sink`;
  const shape = [windowed ? 1 : 4];
  return {
    heads: 4,
    kvHeads: 2,
    headDim: 8,
    positions: rope(),
    ...(windowed ? { mask: slidingWindow(4) } : {}),
    normalizer: softmax({ sink: tensorRef(name, shape) }),
    tensors: { [name]: param(name, shape) },
  };
}

/**
 * A decoder whose every attention has a learned sink logit (gpt-oss style): 3 layers of RoPE
 * softmax attention with GQA, a `[heads]` sink per layer; layer 2 has a sliding window of 4 keys
 * and one sink `[1]` for all heads. RMSNorm, SwiGLU. The TS form of {@link SINK_DECODER_SPEC}.
 */
export const SINK_DECODER: DecoderLmDefinition = {
  vocabSize: 48,
  dModel: 32,
  layers: 3,
  maxSeq: 16,
  block: (layer) => ({
    attention: sinkAttention(layer),
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: rmsNormLayer({ eps: 1e-6 }),
  }),
  finalNorm: rmsNormLayer({ eps: 1e-6 }),
};

/**
 * {@link SINK_DECODER} as a version-2 model spec: the sink is the tensor reference
 * `{ "tensor": "sink", "shape": [4] }`, which each layer learns as `layers.{i}.attn.sink`; an
 * override gives layer 2 a sliding window and a `[1]` sink. The same document is
 * `apps/cli/examples/sink-decoder.json`.
 */
export const SINK_DECODER_SPEC: ModelSpecV2Input = {
  schemaVersion: 2,
  kind: 'decoder-lm',
  config: {
    vocabSize: 48,
    dModel: 32,
    layers: 3,
    maxSeq: 16,
    attention: {
      heads: 4,
      kvHeads: 2,
      headDim: 8,
      positions: { kind: 'rope' },
      normalizer: { kind: 'softmax', sink: { tensor: 'sink', shape: [4] } },
    },
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: { layer: { kind: 'rmsnorm', eps: 1e-6 }, placement: 'pre' },
    overrides: [
      {
        layers: [SINK_DECODER_WINDOW_LAYER],
        attention: {
          mask: { kind: 'slidingWindow', window: 4 },
          normalizer: { kind: 'softmax', sink: { tensor: 'sink', shape: [1] } },
        },
      },
    ],
  },
};
