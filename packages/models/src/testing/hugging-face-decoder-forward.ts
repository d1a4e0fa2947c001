import type { TinyDecoderHfConfig } from './hugging-face-decoder-checkpoint.js';
import type { HfTensors } from './hugging-face-llama-forward.js';

/**
 * The forward passes of transformers' `Qwen2ForCausalLM`, `Qwen3ForCausalLM` and
 * `Gemma2ForCausalLM` written out in float64 loops from their modeling code, independent of
 * Weft's graph. Returns the logits of every position, `[seq, vocab]` row-major.
 *
 * - Qwen2: Llama's decoder (RMSNorm `x · rsqrt(mean(x²) + eps) · w`, RoPE with `rotate_half`,
 *   GQA, SwiGLU) with biases on `q_proj`, `k_proj`, `v_proj`; scores scaled by `head_dim^(−1/2)`.
 * - Qwen3: `q_norm`/`k_norm` (RMSNorm over each head's `head_dim`) before RoPE; biases on
 *   `q_proj`, `k_proj`, `v_proj` and `o_proj` only when `attention_bias` (as Gemma 2).
 * - Gemma 2: embeddings times `√hidden_size` rounded to float32 (transformers makes the factor a
 *   tensor of the model dtype, float32 here); RMSNorm times `1 + w` computed in float32 (as
 *   `1.0 + self.weight.float()`); scores times `query_pre_attn_scalar^(−1/2)`, then
 *   `cap · tanh(s / cap)`; a norm after attention and after the MLP as well as before them; the
 *   tanh GELU in the gated MLP; logits capped by `final_logit_softcapping`.
 *
 * Sliding-window layers (`layer_types`, else Qwen's `use_sliding_window` from `max_window_layers`
 * on, Gemma 2's even layers) let query s see key t when `s − t < sliding_window`, as transformers'
 * `sliding_window_overlay` (`kv_idx > q_idx − sliding_window`).
 *
 * @example
 * ```ts
 * const logits = decoderForwardFloat64(checkpoint.config, checkpoint.tensors, [1, 2, 3]);
 * ```
 */
export function decoderForwardFloat64(
  config: TinyDecoderHfConfig,
  tensors: HfTensors,
  tokens: readonly number[],
): Float64Array {
  const gemma = config.model_type === 'gemma2';
  const d = config.hidden_size;
  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads;
  const headDim = config.head_dim ?? d / heads;
  const seq = tokens.length;
  const eps = config.rms_norm_eps;
  const weight = (name: string) => {
    const tensor = tensors.get(name);
    if (tensor === undefined) throw new Error(`reference forward: no tensor ${name}`);
    return tensor.data;
  };
  // Qwen2Attention: q, k, v always biased, o never; Qwen3Attention and Gemma2Attention give all four
  // projections bias=config.attention_bias.
  const attentionBias = config.model_type !== 'qwen2' && config.attention_bias === true;
  const projectionBias = (projection: 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj') =>
    config.model_type === 'qwen2' ? projection !== 'o_proj' : attentionBias;
  // `x @ Wᵀ (+ b)` for a torch Linear weight W `[out, in]`, over the rows of x `[seq, in]`.
  const linear = (x: Float64Array, name: string, inFeatures: number, bias?: string) => {
    const w = weight(name);
    const b = bias === undefined ? undefined : weight(bias);
    const outFeatures = w.length / inFeatures;
    const y = new Float64Array(seq * outFeatures);
    for (let s = 0; s < seq; s++)
      for (let o = 0; o < outFeatures; o++) {
        let sum = b === undefined ? 0 : b[o]!;
        for (let i = 0; i < inFeatures; i++) sum += x[s * inFeatures + i]! * w[o * inFeatures + i]!;
        y[s * outFeatures + o] = sum;
      }
    return y;
  };
  // RMSNorm over rows of `width` in place; Gemma's gain is (1 + w) in float32.
  const rmsNormRows = (x: Float64Array, width: number, name: string) => {
    const w = weight(name);
    const gain = (i: number) => (gemma ? Math.fround(1 + w[i]!) : w[i]!);
    for (let row = 0; row < x.length / width; row++) {
      let meanSquare = 0;
      for (let i = 0; i < width; i++) meanSquare += x[row * width + i]! ** 2;
      const scale = 1 / Math.sqrt(meanSquare / width + eps);
      for (let i = 0; i < width; i++) x[row * width + i] = x[row * width + i]! * scale * gain(i);
    }
    return x;
  };
  const rmsNorm = (x: Float64Array, name: string) => rmsNormRows(Float64Array.from(x), d, name);
  // RoPE on one head's vector at `position`, in place: q·cos + rotate_half(q)·sin.
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
  const window = slidingWindowOf(config);
  const scaling = gemma ? Number(config.query_pre_attn_scalar) ** -0.5 : headDim ** -0.5;
  const attentionCap = gemma ? (config.attn_logit_softcapping as number | null) : null;

  const embedding = weight('model.embed_tokens.weight');
  const normalizer = gemma ? Math.fround(Math.sqrt(d)) : 1;
  let hidden: Float64Array = new Float64Array(seq * d);
  tokens.forEach((token, s) => {
    for (let i = 0; i < d; i++) hidden[s * d + i] = embedding[token * d + i]! * normalizer;
  });
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const prefix = `model.layers.${layer}`;
    const bias = (projection: 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj') =>
      projectionBias(projection) ? `${prefix}.self_attn.${projection}.bias` : undefined;
    const normed = rmsNorm(hidden, `${prefix}.input_layernorm.weight`);
    const q = linear(normed, `${prefix}.self_attn.q_proj.weight`, d, bias('q_proj'));
    const k = linear(normed, `${prefix}.self_attn.k_proj.weight`, d, bias('k_proj'));
    const v = linear(normed, `${prefix}.self_attn.v_proj.weight`, d, bias('v_proj'));
    if (config.model_type === 'qwen3') {
      rmsNormRows(q, headDim, `${prefix}.self_attn.q_norm.weight`);
      rmsNormRows(k, headDim, `${prefix}.self_attn.k_norm.weight`);
    }
    for (let s = 0; s < seq; s++) {
      for (let h = 0; h < heads; h++) rope(q, (s * heads + h) * headDim, s);
      for (let h = 0; h < kvHeads; h++) rope(k, (s * kvHeads + h) * headDim, s);
    }
    const layerWindow = window(layer);
    const attended = new Float64Array(seq * heads * headDim);
    for (let h = 0; h < heads; h++) {
      const kvHead = Math.floor(h / (heads / kvHeads));
      for (let s = 0; s < seq; s++) {
        const first = layerWindow === undefined ? 0 : Math.max(0, s - layerWindow + 1);
        const scores = new Float64Array(s + 1);
        let max = -Infinity;
        for (let t = first; t <= s; t++) {
          let dot = 0;
          for (let i = 0; i < headDim; i++)
            dot += q[(s * heads + h) * headDim + i]! * k[(t * kvHeads + kvHead) * headDim + i]!;
          let score = dot * scaling;
          if (attentionCap !== null) score = Math.tanh(score / attentionCap) * attentionCap;
          scores[t] = score;
          max = Math.max(max, score);
        }
        let total = 0;
        for (let t = first; t <= s; t++) {
          scores[t] = Math.exp(scores[t]! - max);
          total += scores[t]!;
        }
        for (let t = first; t <= s; t++)
          for (let i = 0; i < headDim; i++)
            attended[(s * heads + h) * headDim + i]! +=
              (scores[t]! / total) * v[(t * kvHeads + kvHead) * headDim + i]!;
      }
    }
    let attentionOut: Float64Array = linear(
      attended,
      `${prefix}.self_attn.o_proj.weight`,
      heads * headDim,
      bias('o_proj'),
    );
    if (gemma) attentionOut = rmsNorm(attentionOut, `${prefix}.post_attention_layernorm.weight`);
    hidden = hidden.map((value, index) => value + attentionOut[index]!);
    const normed2 = rmsNorm(
      hidden,
      gemma ? `${prefix}.pre_feedforward_layernorm.weight` : `${prefix}.post_attention_layernorm.weight`,
    );
    const gate = linear(normed2, `${prefix}.mlp.gate_proj.weight`, d);
    const up = linear(normed2, `${prefix}.mlp.up_proj.weight`, d);
    const activated = gate.map((g, index) => (gemma ? geluTanh(g) : g / (1 + Math.exp(-g))) * up[index]!);
    let mlpOut: Float64Array = linear(activated, `${prefix}.mlp.down_proj.weight`, config.intermediate_size);
    if (gemma) mlpOut = rmsNorm(mlpOut, `${prefix}.post_feedforward_layernorm.weight`);
    hidden = hidden.map((value, index) => value + mlpOut[index]!);
  }
  const final = rmsNorm(hidden, 'model.norm.weight');
  const logits = linear(
    final,
    config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight',
    d,
  );
  const logitCap = gemma ? (config.final_logit_softcapping as number | null) : null;
  return logitCap === null ? logits : logits.map((value) => Math.tanh(value / logitCap) * logitCap);
}

/** PyTorch's `gelu(x, approximate='tanh')`. */
function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/** The window of each layer (`undefined`: full attention), as the family's config class sets it. */
function slidingWindowOf(config: TinyDecoderHfConfig): (layer: number) => number | undefined {
  const layerTypes = config.layer_types as readonly string[] | undefined;
  if (config.model_type === 'gemma2') {
    const window = config.sliding_window as number | null;
    return (layer) =>
      window !== null &&
      (layerTypes?.[layer] === 'sliding_attention' || (layerTypes === undefined && layer % 2 === 0))
        ? window
        : undefined;
  }
  const window = config.use_sliding_window === true ? (config.sliding_window as number) : undefined;
  const firstWindowLayer = config.max_window_layers as number;
  return (layer) =>
    window !== undefined &&
    (layerTypes === undefined ? layer >= firstWindowLayer : layerTypes[layer] === 'sliding_attention')
      ? window
      : undefined;
}
