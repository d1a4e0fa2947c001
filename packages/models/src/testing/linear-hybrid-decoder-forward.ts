import { LINEAR_HYBRID_DECAY_LAYER, LINEAR_HYBRID_SOFTMAX_LAYER } from './linear-hybrid-decoder.js';
import type { NamedParameters } from './sink-decoder-forward.js';

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
  const [d, heads, kvHeads, headDim, hidden, vocab, layers] = [32, 4, 4, 8, 48, 48, 3];
  const seq = tokens.length;
  const weight = (name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`linear hybrid forward: no parameter ${name}`);
    return value;
  };
  // x [seq, n] @ W [n, m].
  const matmul = (x: Float64Array, w: ArrayLike<number>, n: number, m: number) => {
    const y = new Float64Array(seq * m);
    for (let s = 0; s < seq; s++)
      for (let j = 0; j < m; j++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += x[s * n + i]! * w[i * m + j]!;
        y[s * m + j] = sum;
      }
    return y;
  };
  const rmsNorm = (x: Float64Array, gamma: ArrayLike<number>) => {
    const y = new Float64Array(x.length);
    for (let s = 0; s < seq; s++) {
      let meanSquare = 0;
      for (let i = 0; i < d; i++) meanSquare += x[s * d + i]! ** 2;
      const scale = 1 / Math.sqrt(meanSquare / d + 1e-6);
      for (let i = 0; i < d; i++) y[s * d + i] = x[s * d + i]! * scale * gamma[i]!;
    }
    return y;
  };
  const rotate = (x: Float64Array, offset: number, position: number) => {
    const half = headDim / 2;
    for (let i = 0; i < half; i++) {
      const angle = position * 10_000 ** (-(2 * i) / headDim);
      const [a, b] = [x[offset + i]!, x[offset + i + half]!];
      x[offset + i] = a * Math.cos(angle) - b * Math.sin(angle);
      x[offset + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
    }
  };

  const softmaxAttention = (q: Float64Array, k: Float64Array, v: Float64Array, n: number) => {
    const out = new Float64Array(n * heads * headDim);
    for (let h = 0; h < heads; h++)
      for (let p = 0; p < n; p++) {
        const scores: number[] = [];
        for (let t = 0; t <= p; t++) {
          let dot = 0;
          for (let i = 0; i < headDim; i++)
            dot += q[(p * heads + h) * headDim + i]! * k[(t * heads + h) * headDim + i]!;
          scores.push(dot / Math.sqrt(headDim));
        }
        const max = Math.max(...scores);
        const weights = scores.map((score) => Math.exp(score - max));
        const total = weights.reduce((sum, w) => sum + w, 0);
        weights.forEach((w, t) => {
          for (let i = 0; i < headDim; i++)
            out[(p * heads + h) * headDim + i]! += (w / total) * v[(t * heads + h) * headDim + i]!;
        });
      }
    return out;
  };
  const phi = (x: number) => (x > 0 ? x + 1 : Math.exp(x));
  const linearAttentionLoops = (
    q: Float64Array,
    k: Float64Array,
    v: Float64Array,
    n: number,
    rates: readonly number[] | undefined,
  ) => {
    const out = new Float64Array(n * heads * headDim);
    for (let h = 0; h < heads; h++)
      for (let p = 0; p < n; p++) {
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

  const table = weight('embedding.tokens');
  let stream = new Float64Array(seq * d);
  tokens.forEach((token, s) => {
    for (let i = 0; i < d; i++) stream[s * d + i] = table[token * d + i]!;
  });
  const qkvWidth = (heads + 2 * kvHeads) * headDim;
  for (let layer = 0; layer < layers; layer++) {
    const at = (name: string) => weight(`layers.${layer}.${name}`);
    const qkv = matmul(rmsNorm(stream, at('attnNorm.gamma')), at('attn.wqkv'), d, qkvWidth);
    const q = new Float64Array(seq * heads * headDim);
    const k = new Float64Array(seq * kvHeads * headDim);
    const v = new Float64Array(seq * kvHeads * headDim);
    for (let s = 0; s < seq; s++) {
      const row = s * qkvWidth;
      for (let c = 0; c < heads * headDim; c++) q[s * heads * headDim + c] = qkv[row + c]!;
      for (let c = 0; c < kvHeads * headDim; c++) {
        k[s * kvHeads * headDim + c] = qkv[row + heads * headDim + c]!;
        v[s * kvHeads * headDim + c] = qkv[row + (heads + kvHeads) * headDim + c]!;
      }
      if (layer !== LINEAR_HYBRID_SOFTMAX_LAYER) continue;
      for (let h = 0; h < heads; h++) rotate(q, (s * heads + h) * headDim, s);
      for (let h = 0; h < kvHeads; h++) rotate(k, (s * kvHeads + h) * headDim, s);
    }
    const attended =
      layer === LINEAR_HYBRID_SOFTMAX_LAYER
        ? softmaxAttention(q, k, v, seq)
        : linearAttentionLoops(q, k, v, seq, layer === LINEAR_HYBRID_DECAY_LAYER ? decayRates : undefined);
    const attentionOut = matmul(attended, at('attn.wo'), heads * headDim, d);
    stream = stream.map((value, index) => value + attentionOut[index]!);
    const gateUp = matmul(rmsNorm(stream, at('mlpNorm.gamma')), at('mlp.wGateUp'), d, 2 * hidden);
    const activated = new Float64Array(seq * hidden);
    for (let s = 0; s < seq; s++)
      for (let j = 0; j < hidden; j++) {
        const gate = gateUp[s * 2 * hidden + j]!;
        activated[s * hidden + j] = (gate / (1 + Math.exp(-gate))) * gateUp[s * 2 * hidden + hidden + j]!;
      }
    const mlpOut = matmul(activated, at('mlp.wDown'), hidden, d);
    stream = stream.map((value, index) => value + mlpOut[index]!);
  }
  const final = rmsNorm(stream, weight('finalNorm.gamma'));
  const head = weight('head.weight');
  const logits = new Float64Array(seq * vocab);
  for (let s = 0; s < seq; s++)
    for (let token = 0; token < vocab; token++) {
      let sum = 0;
      for (let i = 0; i < d; i++) sum += final[s * d + i]! * head[token * d + i]!;
      logits[s * vocab + token] = sum;
    }
  return logits;
}
