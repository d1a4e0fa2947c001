import { attention, rope } from '@weft/attention';
import { elu1, lightningLinearDecay, linearAttention } from '@weft/attention/linear';
import { rmsNormLayer } from '../blocks/norm-layers.js';
import type { DecoderLmDefinition } from '../model/decoder-graph.js';
import type { ModelSpecV2Input } from '../spec/model-spec-v2-types.js';

/** The softmax layer of {@link LINEAR_HYBRID_DECODER} (RoPE, causal); the other layers are linear. */
export const LINEAR_HYBRID_SOFTMAX_LAYER = 1;

/** The layer of {@link LINEAR_HYBRID_DECODER} with Lightning's decay and no denominator. */
export const LINEAR_HYBRID_DECAY_LAYER = 2;

/**
 * A hybrid decoder mixing linear and softmax attention: 3 layers (4 heads of 8, d = 32); layer 0
 * causal linear attention with ELU+1 and the denominator (ε 1e-6), layer 1 softmax attention with
 * RoPE, layer 2 linear attention with Lightning's per-head decay (slopes of layer 2 of 3) and no
 * denominator. RMSNorm, SwiGLU. The TS form of {@link LINEAR_HYBRID_DECODER_SPEC}.
 */
export const LINEAR_HYBRID_DECODER: DecoderLmDefinition = {
  vocabSize: 48,
  dModel: 32,
  layers: 3,
  maxSeq: 16,
  block: (layer) => ({
    attention:
      layer === LINEAR_HYBRID_SOFTMAX_LAYER
        ? attention({ heads: 4, headDim: 8, positions: rope() })
        : linearAttention({
            heads: 4,
            headDim: 8,
            featureMap: elu1(),
            causal: true,
            ...(layer === LINEAR_HYBRID_DECAY_LAYER
              ? { decay: lightningLinearDecay(4, layer, 3), denominator: false as const }
              : {}),
          }),
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: rmsNormLayer({ eps: 1e-6 }),
  }),
  finalNorm: rmsNormLayer({ eps: 1e-6 }),
};

/**
 * {@link LINEAR_HYBRID_DECODER} as a version-2 model spec: linear attention (`linear`) in the
 * base section, an override giving layer 1 softmax attention with RoPE (`linear: null`), another
 * giving layer 2 Lightning's decay without the denominator.
 */
export const LINEAR_HYBRID_DECODER_SPEC: ModelSpecV2Input = {
  schemaVersion: 2,
  kind: 'decoder-lm',
  config: {
    vocabSize: 48,
    dModel: 32,
    layers: 3,
    maxSeq: 16,
    attention: { heads: 4, headDim: 8, linear: { featureMap: { kind: 'elu1' } } },
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: { layer: { kind: 'rmsnorm', eps: 1e-6 }, placement: 'pre' },
    overrides: [
      {
        layers: [LINEAR_HYBRID_SOFTMAX_LAYER],
        attention: { linear: null, positions: { kind: 'rope' } },
      },
      {
        layers: [LINEAR_HYBRID_DECAY_LAYER],
        attention: { linear: { decay: { kind: 'lightning' }, denominator: false } },
      },
    ],
  },
};
