import type { TinyGpt2HfConfig } from './hugging-face-gpt2-checkpoint.js';
import type { HfTensors } from './hugging-face-llama-forward.js';

/**
 * Hugging Face's `GPT2LMHeadModel` forward pass written out in float64 loops from
 * `modeling_gpt2.py`, independent of Weft's graph: `h = wte[t] + wpe[p]`; per block
 * `h += c_proj(attn(ln_1(h)))`, `h += mlp(ln_2(h))` with LayerNorm `(x − μ)/√(σ² + ε) · w + b`,
 * `Conv1D` projections `x @ W + b` (W stored `[in, out]`), `c_attn` split into query, key and
 * value of `n_embd` columns each (head h: columns h·dh ..< (h+1)·dh), causal softmax attention with
 * scores `q·k` divided by √dh (`scale_attn_weights`) and by layer + 1
 * (`scale_attn_by_inverse_layer_idx`), MLP `c_proj(act(c_fc(x)))` with `gelu_new` (tanh) or
 * `gelu` (erf); then `ln_f` and the head (`wte` when tied, else `lm_head.weight`). Tensor names
 * may carry `transformer.`. Returns the logits of every position, `[seq, vocab]` row-major.
 *
 * @example
 * ```ts
 * const logits = gpt2ForwardFloat64(checkpoint.config, checkpoint.tensors, [1, 2, 3]);
 * ```
 */
export function gpt2ForwardFloat64(
  config: TinyGpt2HfConfig,
  tensors: HfTensors,
  tokens: readonly number[],
): Float64Array {
  const d = config.n_embd;
  const heads = config.n_head;
  const headDim = d / heads;
  const inner = config.n_inner ?? 4 * d;
  const seq = tokens.length;
  const weight = (name: string) => {
    const tensor = tensors.get(name) ?? tensors.get(`transformer.${name}`);
    if (tensor === undefined) throw new Error(`reference forward: no tensor ${name}`);
    return tensor.data;
  };
  // Conv1D: `x @ W + b` with W `[in, out]`, over the rows of x `[seq, in]`.
  const conv1d = (x: Float64Array, prefix: string, inFeatures: number, outFeatures: number) => {
    const w = weight(`${prefix}.weight`);
    const b = weight(`${prefix}.bias`);
    const y = new Float64Array(seq * outFeatures);
    for (let s = 0; s < seq; s++)
      for (let o = 0; o < outFeatures; o++) {
        let sum = b[o]!;
        for (let i = 0; i < inFeatures; i++) sum += x[s * inFeatures + i]! * w[i * outFeatures + o]!;
        y[s * outFeatures + o] = sum;
      }
    return y;
  };
  const layerNorm = (x: Float64Array, prefix: string) => {
    const w = weight(`${prefix}.weight`);
    const b = weight(`${prefix}.bias`);
    const y = new Float64Array(x.length);
    for (let s = 0; s < seq; s++) {
      let mean = 0;
      for (let i = 0; i < d; i++) mean += x[s * d + i]!;
      mean /= d;
      let variance = 0;
      for (let i = 0; i < d; i++) variance += (x[s * d + i]! - mean) ** 2;
      const scale = 1 / Math.sqrt(variance / d + config.layer_norm_epsilon);
      for (let i = 0; i < d; i++) y[s * d + i] = (x[s * d + i]! - mean) * scale * w[i]! + b[i]!;
    }
    return y;
  };
  const activation = activationOf(config.activation_function);

  const wte = weight('wte.weight');
  const wpe = weight('wpe.weight');
  let hidden: Float64Array = new Float64Array(seq * d);
  tokens.forEach((token, s) => {
    for (let i = 0; i < d; i++) hidden[s * d + i] = wte[token * d + i]! + wpe[s * d + i]!;
  });
  for (let layer = 0; layer < config.n_layer; layer++) {
    const prefix = `h.${layer}`;
    const qkv = conv1d(layerNorm(hidden, `${prefix}.ln_1`), `${prefix}.attn.c_attn`, d, 3 * d);
    let divisor = config.scale_attn_weights ? Math.sqrt(headDim) : 1;
    if (config.scale_attn_by_inverse_layer_idx) divisor *= layer + 1;
    // Row s of qkv: query in columns 0 ..< d, key in d ..< 2d, value in 2d ..< 3d.
    const at = (s: number, part: number, h: number, i: number) =>
      qkv[s * 3 * d + part * d + h * headDim + i]!;
    const attended = new Float64Array(seq * d);
    for (let h = 0; h < heads; h++) {
      for (let s = 0; s < seq; s++) {
        const scores = new Float64Array(s + 1);
        let max = -Infinity;
        for (let t = 0; t <= s; t++) {
          let dot = 0;
          for (let i = 0; i < headDim; i++) dot += at(s, 0, h, i) * at(t, 1, h, i);
          scores[t] = dot / divisor;
          max = Math.max(max, scores[t]!);
        }
        let total = 0;
        for (let t = 0; t <= s; t++) {
          scores[t] = Math.exp(scores[t]! - max);
          total += scores[t]!;
        }
        for (let t = 0; t <= s; t++)
          for (let i = 0; i < headDim; i++)
            attended[s * d + h * headDim + i]! += (scores[t]! / total) * at(t, 2, h, i);
      }
    }
    const attentionOut = conv1d(attended, `${prefix}.attn.c_proj`, d, d);
    hidden = hidden.map((value, index) => value + attentionOut[index]!);
    const up = conv1d(layerNorm(hidden, `${prefix}.ln_2`), `${prefix}.mlp.c_fc`, d, inner);
    const mlpOut = conv1d(up.map(activation), `${prefix}.mlp.c_proj`, inner, d);
    hidden = hidden.map((value, index) => value + mlpOut[index]!);
  }
  const final = layerNorm(hidden, 'ln_f');
  const head = config.tie_word_embeddings ? wte : weight('lm_head.weight');
  const vocab = config.vocab_size;
  const logits = new Float64Array(seq * vocab);
  for (let s = 0; s < seq; s++)
    for (let v = 0; v < vocab; v++) {
      let sum = 0;
      for (let i = 0; i < d; i++) sum += final[s * d + i]! * head[v * d + i]!;
      logits[s * vocab + v] = sum;
    }
  return logits;
}

/** transformers' `ACT2FN[name]` for the GELUs GPT-2 configs use. */
function activationOf(name: string): (x: number) => number {
  if (name === 'gelu_new' || name === 'gelu_pytorch_tanh')
    return (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  if (name === 'gelu') return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
  throw new Error(`reference forward: no activation ${name}`);
}

/**
 * erf in float64 from the series `erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))`,
 * whose terms are all positive (no cancellation); |erf(x)| rounds to 1 beyond |x| = 6.
 */
function erf(x: number): number {
  const magnitude = Math.abs(x);
  if (magnitude >= 6) return Math.sign(x);
  let term = magnitude;
  let sum = term;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= (2 * magnitude * magnitude) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-magnitude * magnitude) * sum;
}
