import { megaLayer } from '../blocks/mega-layer.js';
import { rmsNormLayer } from '../blocks/norm-layers.js';
import type { DecoderLmDefinition } from '../model/decoder-graph.js';
import {
  embedTokens,
  logitsRows,
  type NamedParameters,
  rmsNormRows,
  swiGluMlpResidualRows,
} from './float64-loops.js';
import { MEGA_HYBRID_SIZES } from './mega-hybrid-decoder.js';
import { megaLayerFloat64 } from './mega-layer-float64.js';

/** The attention chunks of the layers of {@link MEGA_CHUNKED_DECODER}. */
export const MEGA_CHUNKS = [4, 3] as const;

/**
 * Two Mega layers with fairseq's chunked attention (Mega-chunk; d = 16, maxSeq 16, 40 tokens): chunks
 * of 4 with softmax, then chunks of 3 with laplace (relative-position tables of the chunk). RMSNorm, SwiGLU.
 */
export const MEGA_CHUNKED_DECODER: DecoderLmDefinition = {
  vocabSize: 40,
  dModel: 16,
  layers: 2,
  maxSeq: 16,
  block: (layer) => ({
    attention: megaLayer({
      ...MEGA_HYBRID_SIZES,
      attentionChunk: MEGA_CHUNKS[layer]!,
      ...(layer === 1 ? { attentionFunction: 'laplace' as const } : {}),
    }),
    mlp: { kind: 'swiglu', hidden: 32 },
    norm: rmsNormLayer({ eps: 1e-6 }),
  }),
  finalNorm: rmsNormLayer({ eps: 1e-6 }),
};

/** {@link MEGA_CHUNKED_DECODER} in float64 loops: per layer Mega's block (its chunks), then RMSNorm + SwiGLU. */
export function megaChunkedForwardFloat64(params: NamedParameters, tokens: readonly number[]): Float64Array {
  const [d, hidden, seq] = [16, 32, tokens.length];
  let stream = embedTokens(params['embedding.tokens']!, tokens, d);
  for (let layer = 0; layer < 2; layer++) {
    const at = (name: string) => params[`layers.${layer}.${name}`]!;
    stream = megaLayerFloat64(params, `layers.${layer}.mega`, stream, {
      width: d,
      ...MEGA_HYBRID_SIZES,
      maxPositions: MEGA_CHUNKS[layer]!,
      attentionFunction: layer === 1 ? 'laplace' : 'softmax',
      attentionChunk: MEGA_CHUNKS[layer]!,
    });
    stream = swiGluMlpResidualRows(stream, at, seq, d, hidden);
  }
  return logitsRows(rmsNormRows(stream, params['finalNorm.gamma']!, d), params['head.weight']!, d, 40);
}
