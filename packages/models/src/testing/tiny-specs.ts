import type { ModelSpecInput } from '../spec/model-spec-types.js';

/**
 * A tiny Llama-style decoder: GQA, RoPE, RMSNorm, SwiGLU (d_model 32, 2 layers; tests run it on
 * SwiftShader). Also the model of `pnpm soak`'s generations and the valid base `pnpm fuzz` mutates
 * into junk specs.
 */
export const TINY_LLAMA: ModelSpecInput = {
  schemaVersion: 1,
  kind: 'decoder-lm',
  config: {
    vocabSize: 48,
    dModel: 32,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    headDim: 8,
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: { kind: 'rmsnorm', eps: 1e-6 },
    positions: { kind: 'rope' },
    maxSeq: 16,
  },
};

/** A tiny GPT-2-style decoder: learned positions, LayerNorm, GELU MLP, MHA, tied head. */
export const TINY_GPT: ModelSpecInput = {
  schemaVersion: 1,
  kind: 'decoder-lm',
  config: {
    vocabSize: 48,
    dModel: 32,
    layers: 2,
    heads: 4,
    kvHeads: 4,
    headDim: 8,
    mlp: { kind: 'gelu', hidden: 64 },
    norm: { kind: 'layernorm', eps: 1e-5 },
    positions: { kind: 'learned', max: 16 },
    maxSeq: 16,
    tieEmbeddings: true,
  },
};
