import { attention, rope } from '@weft/attention';
import { megaLayer } from '../blocks/mega-layer.js';
import { rmsNormLayer } from '../blocks/norm-layers.js';
import type { DecoderLmDefinition } from '../model/decoder-graph.js';
import type { ModelSpecV2Input } from '../spec/model-spec-v2-types.js';

/** The softmax layer of {@link MEGA_HYBRID_DECODER} (4 heads of 4, RoPE, causal); the other layers are Mega blocks. */
export const MEGA_HYBRID_SOFTMAX_LAYER = 1;

/** The Mega layer of {@link MEGA_HYBRID_DECODER} with laplace attention and EMA chunks of 4. */
export const MEGA_HYBRID_LAPLACE_LAYER = 2;

/** Sizes of the Mega layers of {@link MEGA_HYBRID_DECODER}. */
export const MEGA_HYBRID_SIZES = { zDim: 8, hDim: 24, components: 4 } as const;

/**
 * A hybrid decoder of Mega blocks and softmax attention: 3 layers (d = 16, maxSeq 16, 40 tokens);
 * layer 0 a causal Mega block with softmax attention (zDim 8, hDim 24, 4 EMA components, the
 * relative-position table of 16 positions), layer 1 softmax attention with RoPE, layer 2 a Mega
 * block with laplace attention and EMA chunks of 4. RMSNorm, SwiGLU. The TS form of
 * {@link MEGA_HYBRID_DECODER_SPEC}.
 */
export const MEGA_HYBRID_DECODER: DecoderLmDefinition = {
  vocabSize: 40,
  dModel: 16,
  layers: 3,
  maxSeq: 16,
  block: (layer) => ({
    attention:
      layer === MEGA_HYBRID_SOFTMAX_LAYER
        ? attention({ heads: 4, headDim: 4, positions: rope() })
        : megaLayer({
            ...MEGA_HYBRID_SIZES,
            ...(layer === MEGA_HYBRID_LAPLACE_LAYER
              ? { attentionFunction: 'laplace' as const, chunkSize: 4 }
              : {}),
          }),
    mlp: { kind: 'swiglu', hidden: 32 },
    norm: rmsNormLayer({ eps: 1e-6 }),
  }),
  finalNorm: rmsNormLayer({ eps: 1e-6 }),
};

/**
 * {@link MEGA_HYBRID_DECODER} as a version-2 model spec: a Mega block (`mega`, one head of
 * headDim = zDim, valueDim = hDim) in the base section, an override giving layer 1 softmax
 * attention with RoPE (`mega: null`), another giving layer 2 laplace attention.
 */
export const MEGA_HYBRID_DECODER_SPEC: ModelSpecV2Input = {
  schemaVersion: 2,
  kind: 'decoder-lm',
  config: {
    vocabSize: 40,
    dModel: 16,
    layers: 3,
    maxSeq: 16,
    attention: { heads: 1, headDim: 8, valueDim: 24, mega: { components: 4 } },
    mlp: { kind: 'swiglu', hidden: 32 },
    norm: { layer: { kind: 'rmsnorm', eps: 1e-6 }, placement: 'pre' },
    overrides: [
      {
        layers: [MEGA_HYBRID_SOFTMAX_LAYER],
        attention: { mega: null, heads: 4, headDim: 4, valueDim: null, positions: { kind: 'rope' } },
      },
      {
        layers: [MEGA_HYBRID_LAPLACE_LAYER],
        attention: { mega: { components: 4, attentionFunction: 'laplace', chunkSize: 4 } },
      },
    ],
  },
};
