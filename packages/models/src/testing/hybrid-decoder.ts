import { alibi, attention, rope, sigmoid, slidingWindow, softcap } from '@weft/attention';
import { rmsNormLayer } from '../blocks/norm-layers.js';
import type { DecoderLmDefinition } from '../model/decoder-graph.js';

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
