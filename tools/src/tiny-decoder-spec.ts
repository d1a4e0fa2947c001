import type { ModelSpecInput } from '@weft/models';

/**
 * A tiny Llama-style decoder LM (GQA, RoPE, RMSNorm, SwiGLU; d_model 32, 2 layers), small enough for
 * the software adapter: the model of `pnpm soak`'s generations and the valid base that `pnpm fuzz`
 * mutates into junk specs.
 */
export const TINY_DECODER_SPEC = {
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
} as const satisfies ModelSpecInput;
