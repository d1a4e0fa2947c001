import { alibi, attention, rope, sigmoid, slidingWindow, softcap } from '@weft/attention';
import { rmsNormLayer } from '../blocks/norm-layers.js';
import type { DecoderLmDefinition } from '../model/decoder-graph.js';
import type { ModelSpecV2Input } from '../spec/model-spec-v2-types.js';

/**
 * The hybrid decoder of issue 13's "done when", as a short TS definition: RMSNorm; sigmoid
 * attention with ALiBi on even layers and softmax attention with RoPE and a sliding window of 4
 * keys on odd layers, all with GQA and a softcap of 20 on the scores; SwiGLU MLPs (d_model 32,
 * 4 layers, small enough for the software adapter). Build it with `buildDecoderGraph`.
 */
export const HYBRID_DECODER: DecoderLmDefinition = {
  vocabSize: 48,
  dModel: 32,
  layers: 4,
  maxSeq: 16,
  block: {
    attention: (layer) =>
      layer % 2 === 0
        ? attention({
            heads: 4,
            kvHeads: 2,
            headDim: 8,
            positions: alibi(),
            score: softcap(20),
            normalizer: sigmoid(),
          })
        : attention({
            heads: 4,
            kvHeads: 2,
            headDim: 8,
            positions: rope(),
            score: softcap(20),
            mask: slidingWindow(4),
          }),
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: rmsNormLayer({ eps: 1e-6 }),
  },
  finalNorm: rmsNormLayer({ eps: 1e-6 }),
};

/**
 * {@link HYBRID_DECODER} as a version-2 model spec: the odd layers' attention is the base, an
 * override gives the even layers sigmoid attention with ALiBi and no sliding window. The same
 * document is `apps/cli/examples/hybrid-decoder.json`; both build the same graph as the TS definition.
 */
export const HYBRID_DECODER_SPEC: ModelSpecV2Input = {
  schemaVersion: 2,
  kind: 'decoder-lm',
  config: {
    vocabSize: 48,
    dModel: 32,
    layers: 4,
    maxSeq: 16,
    attention: {
      heads: 4,
      kvHeads: 2,
      headDim: 8,
      positions: { kind: 'rope' },
      score: { kind: 'softcap', cap: 20 },
      mask: { kind: 'slidingWindow', window: 4 },
    },
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: { layer: { kind: 'rmsnorm', eps: 1e-6 }, placement: 'pre' },
    overrides: [
      {
        layers: 'even',
        attention: { positions: { kind: 'alibi' }, mask: null, normalizer: { kind: 'sigmoid' } },
      },
    ],
  },
};
