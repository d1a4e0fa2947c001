import type { ModelSpecInput } from '@weft/models';

/**
 * The demo's decoder LM: 4 layers, d = 128, 8 query heads sharing 2 KV heads (GQA), RoPE,
 * RMSNorm (pre-norm), SwiGLU with 256 hidden units, a 256-token vocabulary, caches of 64 slots.
 */
export const DEMO_SPEC: ModelSpecInput = {
  schemaVersion: 1,
  kind: 'decoder-lm',
  config: {
    vocabSize: 256,
    dModel: 128,
    layers: 4,
    heads: 8,
    kvHeads: 2,
    headDim: 16,
    mlp: { kind: 'swiglu', hidden: 256 },
    norm: { kind: 'rmsnorm', eps: 1e-6, placement: 'pre' },
    positions: { kind: 'rope', base: 10_000 },
    maxSeq: 64,
  },
};
