import type { DitDefinition } from '../architectures/dit.js';
import type { EncoderDefinition } from '../architectures/encoder.js';
import type { EncoderDecoderDefinition } from '../architectures/encoder-decoder.js';
import type { VitDefinition } from '../architectures/vit.js';
import { layerNormLayer } from '../blocks/norm-layers.js';

/** A tiny BERT-style encoder (d_model 32, 2 layers, token types; small enough for the software adapter). */
export const TINY_ENCODER: EncoderDefinition = {
  vocabSize: 40,
  dModel: 32,
  layers: 2,
  maxSeq: 16,
  typeVocabSize: 2,
  attention: { heads: 4, headDim: 8, bias: true, outputBias: true },
  mlp: { kind: 'gelu', hidden: 64, bias: true },
};

/** A tiny ViT: 8×12 RGB images in 4×4 patches (a 2×3 grid), class token, learned positions. */
export const TINY_VIT: VitDefinition = {
  imageSize: [8, 12],
  patchSize: 4,
  channels: 3,
  dModel: 32,
  layers: 2,
  classes: 10,
  attention: { heads: 4, headDim: 8, bias: true, outputBias: true },
  mlp: { kind: 'gelu', hidden: 64, bias: true },
};

/** {@link TINY_VIT} with axial 2-D RoPE on the patch grid and mean pooling. */
export const TINY_VIT_ROPE: VitDefinition = { ...TINY_VIT, positions: 'rope2d', pool: 'mean' };

/** Two tiny DiT blocks: 8 tokens of 12 features, 16 timestep sinusoids. */
export const TINY_DIT: DitDefinition = {
  inFeatures: 12,
  tokens: 8,
  dModel: 32,
  layers: 2,
  outFeatures: 16,
  attention: { heads: 4, headDim: 8, bias: true, outputBias: true },
  mlp: { kind: 'gelu', hidden: 64, bias: true },
  timestepFrequencies: 16,
};

/** {@link TINY_DIT} conditioned on class labels too (10 classes), adaLN-Zero blocks. */
export const TINY_DIT_CLASSES: DitDefinition = { ...TINY_DIT, classes: 10, conditioningNorm: 'adaLnZero' };

/** A tiny pre-norm encoder–decoder with learned positions (2 + 2 layers). */
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
