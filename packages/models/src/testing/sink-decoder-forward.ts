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
import { SINK_DECODER_WINDOW_LAYER } from './sink-decoder.js';

export type { NamedParameters } from './float64-loops.js';

/**
 * The forward pass of `SINK_DECODER` written out in float64 loops from the math, independent
 * of Weft's graph and reference interpreter: embedding; per layer RMSNorm
 * (`x · rsqrt(mean(x²) + 1e-6) · γ`), the QKV projection (`x W`, query, key, value columns), RoPE
 * (dim i pairs with i + dh/2, angle `pos · 10000^(−2i/dh)`), causal GQA attention with scale
 * `1/√dh` and the softmax with a sink logit `σ_h` in the denominator only,
 * `p_j = e^{s_j} / (e^{σ_h} + Σ_k e^{s_k})` (layer 2: keys p − 4 < k ≤ p, one sink for all heads),
 * the output projection, SwiGLU `W_down (silu(x W_gate) ⊙ x W_up)`; final RMSNorm; logits
 * `x Eᵀ` with the head `[V, d]`. Returns `[seq, vocab]` row-major.
 *
 * @example
 * ```ts
 * const logits = sinkDecoderForwardFloat64(params, [1, 2, 3]);
 * ```
 */
export function sinkDecoderForwardFloat64(params: NamedParameters, tokens: readonly number[]): Float64Array {
  const [d, hidden, vocab, layers] = [32, 48, 48, 3];
  const layout = { heads: 4, kvHeads: 2, headDim: 8 };
  const { heads, kvHeads, headDim } = layout;
  const seq = tokens.length;
  const weight = parameterLookup(params, 'sink decoder');
  let stream = embedTokens(weight('embedding.tokens'), tokens, d);
  const qkvWidth = (heads + 2 * kvHeads) * headDim;
  for (let layer = 0; layer < layers; layer++) {
    const at = (name: string) => weight(`layers.${layer}.${name}`);
    const qkv = matmulRows(rmsNormRows(stream, at('attnNorm.gamma'), d), seq, at('attn.wqkv'), d, qkvWidth);
    const [q, k, v] = splitQkvRows(qkv, seq, layout);
    for (let s = 0; s < seq; s++) {
      for (let h = 0; h < heads; h++) rotateHalves(q, (s * heads + h) * headDim, s, headDim);
      for (let h = 0; h < kvHeads; h++) rotateHalves(k, (s * kvHeads + h) * headDim, s, headDim);
    }
    const window = layer === SINK_DECODER_WINDOW_LAYER ? 4 : Number.POSITIVE_INFINITY;
    const attended = causalSoftmaxAttentionRows(q, k, v, layout, { window, sink: at('attn.sink') });
    stream = addRows(stream, matmulRows(attended, seq, at('attn.wo'), heads * headDim, d));
    stream = swiGluMlpResidualRows(stream, at, seq, d, hidden);
  }
  return logitsRows(rmsNormRows(stream, weight('finalNorm.gamma'), d), weight('head.weight'), d, vocab);
}
