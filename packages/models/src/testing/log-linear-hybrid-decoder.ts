import { attention, rope } from '@weft/attention';
import { logLinearLayer } from '../blocks/log-linear-attention-block.js';
import { rmsNormLayer } from '../blocks/norm-layers.js';
import type { DecoderLmDefinition } from '../model/decoder-graph.js';
import type { ModelSpecV2Input } from '../spec/model-spec-v2-types.js';

/** The softmax layer of {@link LOG_LINEAR_HYBRID_DECODER} (RoPE, causal); the other layers are log-linear. */
export const LOG_LINEAR_HYBRID_SOFTMAX_LAYER = 1;

/** Positions per chunk of the log-linear layers' forward pass: layer 0 uses 4, layer 2 uses 2. */
export const LOG_LINEAR_HYBRID_CHUNKS: Readonly<Record<number, number>> = { 0: 4, 2: 2 };

/**
 * A hybrid decoder mixing log-linear and softmax attention: 3 layers (4 heads of 8, d = 32,
 * maxSeq 16, so 5 Fenwick levels: 0 … 4); layers 0 and 2 log-linear Mamba-2 (chunks of 4 and 2 in
 * the forward pass, so that levels above the chunk run through their states), layer 1 softmax
 * attention with RoPE. RMSNorm, SwiGLU. The TS form of {@link LOG_LINEAR_HYBRID_DECODER_SPEC}.
 */
export const LOG_LINEAR_HYBRID_DECODER: DecoderLmDefinition = {
  vocabSize: 48,
  dModel: 32,
  layers: 3,
  maxSeq: 16,
  block: (layer) => ({
    attention:
      layer === LOG_LINEAR_HYBRID_SOFTMAX_LAYER
        ? attention({ heads: 4, headDim: 8, positions: rope() })
        : logLinearLayer({ heads: 4, headDim: 8, maxSeq: 16, chunkSize: LOG_LINEAR_HYBRID_CHUNKS[layer]! }),
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: rmsNormLayer({ eps: 1e-6 }),
  }),
  finalNorm: rmsNormLayer({ eps: 1e-6 }),
};

/**
 * {@link LOG_LINEAR_HYBRID_DECODER} as a version-2 model spec: log-linear attention
 * (`"linear": { "kind": "log-linear" }`) in the base section, an override giving layer 1 softmax
 * attention with RoPE (`linear: null`), another giving layer 2 chunks of 2.
 */
export const LOG_LINEAR_HYBRID_DECODER_SPEC: ModelSpecV2Input = {
  schemaVersion: 2,
  kind: 'decoder-lm',
  config: {
    vocabSize: 48,
    dModel: 32,
    layers: 3,
    maxSeq: 16,
    attention: { heads: 4, headDim: 8, linear: { kind: 'log-linear', chunkSize: 4 } },
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: { layer: { kind: 'rmsnorm', eps: 1e-6 }, placement: 'pre' },
    overrides: [
      {
        layers: [LOG_LINEAR_HYBRID_SOFTMAX_LAYER],
        attention: { linear: null, positions: { kind: 'rope' } },
      },
      { layers: [2], attention: { linear: { kind: 'log-linear', chunkSize: 2 } } },
    ],
  },
};
