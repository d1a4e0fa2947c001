import { SINK_DECODER_WINDOW_LAYER } from './sink-decoder.js';

/** Parameters by Weft name, row-major. */
export type NamedParameters = Readonly<Record<string, ArrayLike<number>>>;

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
  const [d, heads, kvHeads, headDim, hidden, vocab, layers] = [32, 4, 2, 8, 48, 48, 3];
  const seq = tokens.length;
  const weight = (name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`sink decoder forward: no parameter ${name}`);
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
      for (let h = 0; h < heads; h++) rotate(q, (s * heads + h) * headDim, s);
      for (let h = 0; h < kvHeads; h++) rotate(k, (s * kvHeads + h) * headDim, s);
    }
    const sink = at('attn.sink');
    const window = layer === SINK_DECODER_WINDOW_LAYER ? 4 : Number.POSITIVE_INFINITY;
    const attended = new Float64Array(seq * heads * headDim);
    for (let h = 0; h < heads; h++) {
      const kvHead = Math.floor((h * kvHeads) / heads);
      const sinkLogit = sink.length === 1 ? sink[0]! : sink[h]!;
      for (let p = 0; p < seq; p++) {
        const keys: number[] = [];
        for (let t = 0; t <= p; t++) if (p - t < window) keys.push(t);
        const scores = keys.map((t) => {
          let dot = 0;
          for (let i = 0; i < headDim; i++)
            dot += q[(p * heads + h) * headDim + i]! * k[(t * kvHeads + kvHead) * headDim + i]!;
          return dot / Math.sqrt(headDim);
        });
        const max = Math.max(sinkLogit, ...scores);
        const weights = scores.map((score) => Math.exp(score - max));
        const total = Math.exp(sinkLogit - max) + weights.reduce((sum, w) => sum + w, 0);
        keys.forEach((t, j) => {
          for (let i = 0; i < headDim; i++)
            attended[(p * heads + h) * headDim + i]! +=
              (weights[j]! / total) * v[(t * kvHeads + kvHead) * headDim + i]!;
        });
      }
    }
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
