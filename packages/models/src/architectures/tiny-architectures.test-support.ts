import { layerNormLayer } from '../blocks/norm-layers.js';
import type { DitDefinition } from './dit.js';
import type { EncoderDefinition } from './encoder.js';
import type { EncoderDecoderDefinition } from './encoder-decoder.js';
import type { VitDefinition } from './vit.js';

/** Tiny architectures for the tests (small enough for SwiftShader). */
export const TINY_ENCODER: EncoderDefinition = {
  vocabSize: 40,
  dModel: 32,
  layers: 2,
  maxSeq: 16,
  typeVocabSize: 2,
  attention: { heads: 4, headDim: 8, bias: true },
  mlp: { kind: 'gelu', hidden: 64, bias: true },
};

export const TINY_VIT: VitDefinition = {
  imageSize: [8, 12],
  patchSize: 4,
  channels: 3,
  dModel: 32,
  layers: 2,
  classes: 10,
  attention: { heads: 4, headDim: 8, bias: true },
  mlp: { kind: 'gelu', hidden: 64, bias: true },
};

export const TINY_VIT_ROPE: VitDefinition = { ...TINY_VIT, positions: 'rope2d', pool: 'mean' };

export const TINY_DIT: DitDefinition = {
  inFeatures: 12,
  tokens: 8,
  dModel: 32,
  layers: 2,
  outFeatures: 16,
  attention: { heads: 4, headDim: 8, bias: true },
  mlp: { kind: 'gelu', hidden: 64, bias: true },
  timestepFrequencies: 16,
};

export const TINY_ENCODER_DECODER: EncoderDecoderDefinition = {
  sourceVocabSize: 40,
  targetVocabSize: 48,
  dModel: 32,
  encoderLayers: 2,
  decoderLayers: 2,
  maxSourceSeq: 16,
  maxTargetSeq: 16,
  encoderBlock: {
    attention: { heads: 4, headDim: 8 },
    mlp: { kind: 'gelu', hidden: 64 },
    norm: layerNormLayer(),
  },
  finalNorm: layerNormLayer(),
  embeddingPositions: { kind: 'learned', max: 16 },
};
