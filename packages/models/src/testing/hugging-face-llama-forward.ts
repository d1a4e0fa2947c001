import type { TinyLlamaHfConfig } from './hugging-face-checkpoint.js';

/** Checkpoint tensors by Hugging Face name: row-major values in float64. */
export type HfTensors = ReadonlyMap<
  string,
  { readonly shape: readonly number[]; readonly data: ArrayLike<number> }
>;

/**
 * Hugging Face's `LlamaForCausalLM` forward pass written out in float64 loops from its modeling
 * code, independent of Weft's graph: embedding, RMSNorm (`x · rsqrt(mean(x²) + eps) · w`), RoPE
 * with `rotate_half` (dim i pairs with i + dh/2, frequencies `θ^(−2i/dh)`), causal GQA attention
 * with scale `1/√dh`, SwiGLU MLP `down(silu(gate(x)) ⊙ up(x))`, final norm, LM head (tied or not).
 * Returns the logits of every position, `[seq, vocab]` row-major.
 *
 * @example
 * ```ts
 * const logits = llamaForwardFloat64(checkpoint.config, checkpoint.tensors, [1, 2, 3]);
 * ```
 */
export function llamaForwardFloat64(
  config: TinyLlamaHfConfig,
  tensors: HfTensors,
  tokens: readonly number[],
): Float64Array {
  const d = config.hidden_size;
  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads;
  const headDim = d / heads;
  const seq = tokens.length;
  const weight = (name: string) => {
    const tensor = tensors.get(name);
    if (tensor === undefined) throw new Error(`reference forward: no tensor ${name}`);
    return tensor.data;
  };
  // `x @ Wᵀ` for a torch Linear weight W `[out, in]`, over the rows of x `[seq, in]`.
  const linear = (x: Float64Array, name: string, inFeatures: number) => {
    const w = weight(name);
    const outFeatures = w.length / inFeatures;
    const y = new Float64Array(seq * outFeatures);
    for (let s = 0; s < seq; s++)
      for (let o = 0; o < outFeatures; o++) {
        let sum = 0;
        for (let i = 0; i < inFeatures; i++) sum += x[s * inFeatures + i]! * w[o * inFeatures + i]!;
        y[s * outFeatures + o] = sum;
      }
    return y;
  };
  const rmsNorm = (x: Float64Array, name: string) => {
    const w = weight(name);
    const y = new Float64Array(x.length);
    for (let s = 0; s < seq; s++) {
      let meanSquare = 0;
      for (let i = 0; i < d; i++) meanSquare += x[s * d + i]! ** 2;
      const scale = 1 / Math.sqrt(meanSquare / d + config.rms_norm_eps);
      for (let i = 0; i < d; i++) y[s * d + i] = x[s * d + i]! * scale * w[i]!;
    }
    return y;
  };
  // RoPE on one head's vector at `position`, in place: HF's q·cos + rotate_half(q)·sin.
  const rope = (x: Float64Array, offset: number, position: number) => {
    const half = headDim / 2;
    for (let i = 0; i < half; i++) {
      const angle = position * config.rope_theta ** (-(2 * i) / headDim);
      const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
      const first = x[offset + i]!;
      const second = x[offset + i + half]!;
      x[offset + i] = first * cos - second * sin;
      x[offset + i + half] = second * cos + first * sin;
    }
  };

  const embedding = weight('model.embed_tokens.weight');
  let hidden: Float64Array = new Float64Array(seq * d);
  tokens.forEach((token, s) => {
    for (let i = 0; i < d; i++) hidden[s * d + i] = embedding[token * d + i]!;
  });
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const prefix = `model.layers.${layer}`;
    const normed = rmsNorm(hidden, `${prefix}.input_layernorm.weight`);
    const q = linear(normed, `${prefix}.self_attn.q_proj.weight`, d);
    const k = linear(normed, `${prefix}.self_attn.k_proj.weight`, d);
    const v = linear(normed, `${prefix}.self_attn.v_proj.weight`, d);
    for (let s = 0; s < seq; s++) {
      for (let h = 0; h < heads; h++) rope(q, (s * heads + h) * headDim, s);
      for (let h = 0; h < kvHeads; h++) rope(k, (s * kvHeads + h) * headDim, s);
    }
    const attended = new Float64Array(seq * heads * headDim);
    for (let h = 0; h < heads; h++) {
      const kvHead = Math.floor(h / (heads / kvHeads));
      for (let s = 0; s < seq; s++) {
        const scores = new Float64Array(s + 1);
        let max = -Infinity;
        for (let t = 0; t <= s; t++) {
          let dot = 0;
          for (let i = 0; i < headDim; i++)
            dot += q[(s * heads + h) * headDim + i]! * k[(t * kvHeads + kvHead) * headDim + i]!;
          scores[t] = dot / Math.sqrt(headDim);
          max = Math.max(max, scores[t]!);
        }
        let total = 0;
        for (let t = 0; t <= s; t++) {
          scores[t] = Math.exp(scores[t]! - max);
          total += scores[t]!;
        }
        for (let t = 0; t <= s; t++)
          for (let i = 0; i < headDim; i++)
            attended[(s * heads + h) * headDim + i]! +=
              (scores[t]! / total) * v[(t * kvHeads + kvHead) * headDim + i]!;
      }
    }
    const attentionOut = linear(attended, `${prefix}.self_attn.o_proj.weight`, heads * headDim);
    hidden = hidden.map((value, index) => value + attentionOut[index]!);
    const normed2 = rmsNorm(hidden, `${prefix}.post_attention_layernorm.weight`);
    const gate = linear(normed2, `${prefix}.mlp.gate_proj.weight`, d);
    const up = linear(normed2, `${prefix}.mlp.up_proj.weight`, d);
    const activated = gate.map((g, index) => (g / (1 + Math.exp(-g))) * up[index]!);
    const mlpOut = linear(activated, `${prefix}.mlp.down_proj.weight`, config.intermediate_size);
    hidden = hidden.map((value, index) => value + mlpOut[index]!);
  }
  const final = rmsNorm(hidden, 'model.norm.weight');
  return linear(final, config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight', d);
}
