import type {
  DitSpecInput,
  EncoderDecoderSpecInput,
  EncoderSpecInput,
  VitSpecInput,
} from '../spec/kinds/index.js';

const SCHEMA = '../../../packages/models/schema/model.schema.json';

/** `TINY_ENCODER` as a spec document: `apps/cli/examples/bert-encoder.json`. */
export const TINY_ENCODER_SPEC: EncoderSpecInput = {
  $schema: SCHEMA,
  schemaVersion: 2,
  kind: 'encoder',
  config: {
    vocabSize: 40,
    dModel: 32,
    layers: 2,
    maxSeq: 16,
    typeVocabSize: 2,
    attention: { heads: 4, headDim: 8, bias: true, outputBias: true },
    mlp: { kind: 'gelu', hidden: 64, bias: true },
    norm: { kind: 'layernorm', eps: 1e-12 },
    pooler: true,
  },
};

/** `TINY_VIT` as a spec document: `apps/cli/examples/vit.json`. */
export const TINY_VIT_SPEC: VitSpecInput = {
  $schema: SCHEMA,
  schemaVersion: 2,
  kind: 'vit',
  config: {
    imageSize: [8, 12],
    patchSize: 4,
    channels: 3,
    dModel: 32,
    layers: 2,
    classes: 10,
    attention: { heads: 4, headDim: 8, bias: true, outputBias: true },
    mlp: { kind: 'gelu', hidden: 64, bias: true },
    norm: { kind: 'layernorm', eps: 1e-6 },
    positions: 'learned',
    pool: 'cls',
  },
};

/** `TINY_DIT_CLASSES` as a spec document: `apps/cli/examples/dit-block.json`. */
export const TINY_DIT_SPEC: DitSpecInput = {
  $schema: SCHEMA,
  schemaVersion: 2,
  kind: 'dit',
  config: {
    inFeatures: 12,
    tokens: 8,
    dModel: 32,
    layers: 2,
    outFeatures: 16,
    attention: { heads: 4, headDim: 8, bias: true, outputBias: true },
    mlp: { kind: 'gelu', hidden: 64, bias: true },
    conditioning: {
      timestep: { frequencies: 16, maxPeriod: 10000 },
      classLabels: { classes: 10 },
      norm: 'adaLnZero',
    },
  },
};

/** `TINY_ENCODER_DECODER` as a spec document: `apps/cli/examples/encoder-decoder.json`. */
export const TINY_ENCODER_DECODER_SPEC: EncoderDecoderSpecInput = {
  $schema: SCHEMA,
  schemaVersion: 2,
  kind: 'encoder-decoder',
  config: {
    sourceVocabSize: 40,
    targetVocabSize: 48,
    dModel: 32,
    maxSourceSeq: 16,
    maxTargetSeq: 16,
    encoder: {
      layers: 2,
      attention: { heads: 4, headDim: 8 },
      mlp: { kind: 'gelu', hidden: 64 },
      norm: { layer: { kind: 'layernorm' }, placement: 'pre' },
    },
    decoder: { layers: 2 },
    finalNorm: { kind: 'layernorm' },
    positions: { kind: 'learned', max: 16 },
  },
};
