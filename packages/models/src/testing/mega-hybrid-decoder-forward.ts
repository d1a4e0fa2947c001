import {
  addRows,
  causalSoftmaxAttentionRows,
  embedTokens,
  logitsRows,
  matmulRows,
  type NamedParameters,
  parameterLookup,
  rmsNormRows,
  rotateHalves,
  splitQkvRows,
  swiGluMlpResidualRows,
} from './float64-loops.js';
import {
  MEGA_HYBRID_LAPLACE_LAYER,
  MEGA_HYBRID_SIZES,
  MEGA_HYBRID_SOFTMAX_LAYER,
} from './mega-hybrid-decoder.js';
import { megaLayerFloat64 } from './mega-layer-float64.js';

/**
 * The forward pass of `MEGA_HYBRID_DECODER` in float64 loops from the math, independent of Weft's
 * graph and interpreter: embedding; per layer, on layers 0 and 2 Mega's block on the stream as is
 * (its own LayerNorm and gated residual, see {@link megaLayerFloat64}; softmax on layer 0, laplace on
 * layer 2, P = 16), on layer 1 RMSNorm, QKV, causal softmax attention with RoPE (4 heads of 4) and
 * the output projection added to the stream; then RMSNorm and SwiGLU added to the stream; final
 * RMSNorm; logits `x Eᵀ`. Returns `[seq, vocab]` row-major.
 */
export function megaHybridForwardFloat64(params: NamedParameters, tokens: readonly number[]): Float64Array {
  const [d, hidden, vocab, layers] = [16, 32, 40, 3];
  const layout = { heads: 4, kvHeads: 4, headDim: 4 };
  const seq = tokens.length;
  const weight = parameterLookup(params, 'Mega hybrid');
  let stream = embedTokens(weight('embedding.tokens'), tokens, d);
  for (let layer = 0; layer < layers; layer++) {
    const at = (name: string) => weight(`layers.${layer}.${name}`);
    if (layer === MEGA_HYBRID_SOFTMAX_LAYER) {
      const qkv = matmulRows(rmsNormRows(stream, at('attnNorm.gamma'), d), seq, at('attn.wqkv'), d, 3 * d);
      const [q, k, v] = splitQkvRows(qkv, seq, layout);
      for (let s = 0; s < seq; s++)
        for (let h = 0; h < layout.heads; h++) {
          rotateHalves(q, (s * layout.heads + h) * layout.headDim, s, layout.headDim);
          rotateHalves(k, (s * layout.kvHeads + h) * layout.headDim, s, layout.headDim);
        }
      const attended = causalSoftmaxAttentionRows(q, k, v, layout);
      stream = addRows(stream, matmulRows(attended, seq, at('attn.wo'), d, d));
    } else {
      stream = megaLayerFloat64(params, `layers.${layer}.mega`, stream, {
        width: d,
        ...MEGA_HYBRID_SIZES,
        maxPositions: 16,
        attentionFunction: layer === MEGA_HYBRID_LAPLACE_LAYER ? 'laplace' : 'softmax',
      });
    }
    stream = swiGluMlpResidualRows(stream, at, seq, d, hidden);
  }
  return logitsRows(rmsNormRows(stream, weight('finalNorm.gamma'), d), weight('head.weight'), d, vocab);
}
