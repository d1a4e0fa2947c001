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
import { LINEAR_HYBRID_DECAY_LAYER, LINEAR_HYBRID_SOFTMAX_LAYER } from './linear-hybrid-decoder.js';

/**
 * The forward pass of `LINEAR_HYBRID_DECODER` written out in float64 loops from the math,
 * independent of Weft's graph, interpreter and linear-attention reference: embedding; per layer
 * RMSNorm, the QKV projection (query, key, value columns, 4 heads of 8); layer 1 causal softmax
 * attention with RoPE (dim i pairs with i + dh/2, angle `pos · 10000^(−2i/dh)`, scale `1/√dh`);
 * layers 0 and 2 causal linear attention `o_i = Σ_{j≤i} γ^(i−j) φ(q_i)·φ(k_j) v_j`, divided by
 * `Σ_{j≤i} φ(q_i)·φ(k_j) + 1e-6` on layer 0 (γ = 1), with Lightning's rates `decayRates` and no
 * denominator on layer 2, φ(x) = x + 1 for x > 0 else eˣ (ELU+1); the output projection, SwiGLU;
 * final RMSNorm; logits `x Eᵀ`. Returns `[seq, vocab]` row-major.
 */
export function linearHybridForwardFloat64(
  params: NamedParameters,
  tokens: readonly number[],
  decayRates: readonly number[],
): Float64Array {
  const [d, hidden, vocab, layers] = [32, 48, 48, 3];
  const layout = { heads: 4, kvHeads: 4, headDim: 8 };
  const { heads, kvHeads, headDim } = layout;
  const seq = tokens.length;
  const weight = parameterLookup(params, 'linear hybrid');
  const phi = (x: number) => (x > 0 ? x + 1 : Math.exp(x));
  const linearAttentionLoops = (
    q: Float64Array,
    k: Float64Array,
    v: Float64Array,
    rates: readonly number[] | undefined,
  ) => {
    const out = new Float64Array(seq * heads * headDim);
    for (let h = 0; h < heads; h++)
      for (let p = 0; p < seq; p++) {
        let denominator = 0;
        for (let t = 0; t <= p; t++) {
          let dot = 0;
          for (let i = 0; i < headDim; i++)
            dot += phi(q[(p * heads + h) * headDim + i]!) * phi(k[(t * heads + h) * headDim + i]!);
          const w = rates === undefined ? dot : rates[h]! ** (p - t) * dot;
          denominator += w;
          for (let i = 0; i < headDim; i++)
            out[(p * heads + h) * headDim + i]! += w * v[(t * heads + h) * headDim + i]!;
        }
        if (rates === undefined)
          for (let i = 0; i < headDim; i++) out[(p * heads + h) * headDim + i]! /= denominator + 1e-6;
      }
    return out;
  };

  let stream = embedTokens(weight('embedding.tokens'), tokens, d);
  const qkvWidth = (heads + 2 * kvHeads) * headDim;
  for (let layer = 0; layer < layers; layer++) {
    const at = (name: string) => weight(`layers.${layer}.${name}`);
    const qkv = matmulRows(rmsNormRows(stream, at('attnNorm.gamma'), d), seq, at('attn.wqkv'), d, qkvWidth);
    const [q, k, v] = splitQkvRows(qkv, seq, layout);
    let attended: Float64Array;
    if (layer === LINEAR_HYBRID_SOFTMAX_LAYER) {
      for (let s = 0; s < seq; s++)
        for (let h = 0; h < heads; h++) {
          rotateHalves(q, (s * heads + h) * headDim, s, headDim);
          rotateHalves(k, (s * kvHeads + h) * headDim, s, headDim);
        }
      attended = causalSoftmaxAttentionRows(q, k, v, layout);
    } else {
      attended = linearAttentionLoops(q, k, v, layer === LINEAR_HYBRID_DECAY_LAYER ? decayRates : undefined);
    }
    stream = addRows(stream, matmulRows(attended, seq, at('attn.wo'), heads * headDim, d));
    stream = swiGluMlpResidualRows(stream, at, seq, d, hidden);
  }
  return logitsRows(rmsNormRows(stream, weight('finalNorm.gamma'), d), weight('head.weight'), d, vocab);
}
