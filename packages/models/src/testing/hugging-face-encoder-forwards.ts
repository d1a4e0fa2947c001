import type { TinyBertHfConfig, TinyVitHfConfig } from './hugging-face-encoders.js';
import type { HfTensors } from './hugging-face-llama-forward.js';

/** Hugging Face's additive mask value for a masked key: `torch.finfo(torch.float32).min`. */
const FLOAT32_MIN = -3.4028234663852886e38;

/** The inputs of `BertModel.forward` for a batch: one row per sequence. */
export interface BertForwardInputs {
  /** `input_ids` `[batch][seq]`. */
  readonly inputIds: readonly (readonly number[])[];
  /** `token_type_ids` `[batch][seq]`. */
  readonly tokenTypeIds: readonly (readonly number[])[];
  /** `attention_mask` `[batch][seq]`: 1 for a token, 0 for padding. */
  readonly attentionMask: readonly (readonly number[])[];
}

/** What `BertModel` / `ViTModel` return, flattened row-major. */
export interface EncoderForwardOutputs {
  /** `last_hidden_state` `[batch, seq, d]`. */
  readonly lastHiddenState: Float64Array;
  /** `pooler_output` `[batch, d]` (absent without a pooler). */
  readonly poolerOutput?: Float64Array;
}

/**
 * Hugging Face's `BertModel` forward (eager attention, eval mode) written out in float64 loops from
 * its modeling code, independent of Weft: word + token-type + absolute position embeddings and
 * `LayerNorm`; per layer `BertSelfAttention` (scores `q·kᵀ/√dh` plus the extended attention mask
 * `(1 − mask)·finfo.min`, softmax), `BertSelfOutput` `LayerNorm(dense(ctx) + x)`,
 * `BertIntermediate` `gelu(dense(x))` (exact, erf), `BertOutput` `LayerNorm(dense(h) + x)`; the
 * pooler `tanh(dense(h[:, 0]))` when the checkpoint has one.
 *
 * @param prefix `bert.` for a task model's checkpoint.
 * @example
 * ```ts
 * const { lastHiddenState, poolerOutput } = bertModelForwardFloat64(config, tensors, { inputIds, tokenTypeIds, attentionMask });
 * ```
 */
export function bertModelForwardFloat64(
  config: TinyBertHfConfig,
  tensors: HfTensors,
  inputs: BertForwardInputs,
  prefix = '',
): EncoderForwardOutputs {
  const d = config.hidden_size;
  const heads = config.num_attention_heads;
  const eps = config.layer_norm_eps;
  const get = weights(tensors, prefix);
  const hidden: number[] = [];
  const pooled: number[] = [];
  inputs.inputIds.forEach((ids, b) => {
    const seq = ids.length;
    let h: Float64Array = new Float64Array(seq * d);
    const words = get('embeddings.word_embeddings.weight');
    const types = get('embeddings.token_type_embeddings.weight');
    const positions = get('embeddings.position_embeddings.weight');
    for (let s = 0; s < seq; s++) {
      const type = inputs.tokenTypeIds[b]![s]!;
      for (let i = 0; i < d; i++)
        h[s * d + i] = words[ids[s]! * d + i]! + types[type * d + i]! + positions[s * d + i]!;
    }
    h = layerNorm(h, d, get('embeddings.LayerNorm.weight'), get('embeddings.LayerNorm.bias'), eps);
    const additiveMask = inputs.attentionMask[b]!.map((keep) => (1 - keep) * FLOAT32_MIN);
    for (let layer = 0; layer < config.num_hidden_layers; layer++) {
      const path = `encoder.layer.${layer}`;
      const dense = (x: Float64Array, name: string) =>
        torchLinear(x, get(`${name}.weight`), get(`${name}.bias`), seq);
      const context = multiHeadAttention(
        dense(h, `${path}.attention.self.query`),
        dense(h, `${path}.attention.self.key`),
        dense(h, `${path}.attention.self.value`),
        seq,
        heads,
        additiveMask,
      );
      const attended = layerNorm(
        add(dense(context, `${path}.attention.output.dense`), h),
        d,
        get(`${path}.attention.output.LayerNorm.weight`),
        get(`${path}.attention.output.LayerNorm.bias`),
        eps,
      );
      const intermediate = dense(attended, `${path}.intermediate.dense`).map(exactGelu);
      h = layerNorm(
        add(dense(intermediate, `${path}.output.dense`), attended),
        d,
        get(`${path}.output.LayerNorm.weight`),
        get(`${path}.output.LayerNorm.bias`),
        eps,
      );
    }
    hidden.push(...h);
    if (tensors.has(`${prefix}pooler.dense.weight`))
      pooled.push(
        ...torchLinear(h.slice(0, d), get('pooler.dense.weight'), get('pooler.dense.bias'), 1).map(Math.tanh),
      );
  });
  return {
    lastHiddenState: Float64Array.from(hidden),
    ...(pooled.length === 0 ? {} : { poolerOutput: Float64Array.from(pooled) }),
  };
}

/**
 * Hugging Face's `ViTModel` forward (eager attention, eval mode, no position interpolation) written
 * out in float64 loops from its modeling code, independent of Weft: `ViTPatchEmbeddings` (a conv
 * with kernel and stride P, `flatten(2).transpose(1, 2)`), the class token prepended, position
 * embeddings added; per layer `x + attention(layernorm_before(x))` then
 * `x + output.dense(gelu(intermediate.dense(layernorm_after(x))))`; the final `layernorm`; the
 * pooler `tanh(dense(h[:, 0]))` when the checkpoint has one.
 *
 * @param pixels `pixel_values` `[batch, channels, height, width]` row-major.
 * @param prefix `vit.` for a task model's checkpoint.
 * @example
 * ```ts
 * const { lastHiddenState } = vitModelForwardFloat64(config, tensors, pixels, 2);
 * ```
 */
export function vitModelForwardFloat64(
  config: TinyVitHfConfig,
  tensors: HfTensors,
  pixels: ArrayLike<number>,
  batch: number,
  prefix = '',
): EncoderForwardOutputs {
  const d = config.hidden_size;
  const channels = config.num_channels;
  const patch = config.patch_size;
  const [height, width] =
    typeof config.image_size === 'number' ? [config.image_size, config.image_size] : config.image_size;
  const gridRows = height! / patch;
  const gridColumns = width! / patch;
  const seq = gridRows * gridColumns + 1;
  const eps = config.layer_norm_eps;
  const get = weights(tensors, prefix);
  const optional = (name: string) => tensors.get(`${prefix}${name}`)?.data;
  const hidden: number[] = [];
  const pooled: number[] = [];
  for (let b = 0; b < batch; b++) {
    const kernel = get('embeddings.patch_embeddings.projection.weight');
    const kernelBias = get('embeddings.patch_embeddings.projection.bias');
    let h: Float64Array = new Float64Array(seq * d);
    const cls = get('embeddings.cls_token');
    for (let i = 0; i < d; i++) h[i] = cls[i]!;
    for (let row = 0; row < gridRows; row++)
      for (let column = 0; column < gridColumns; column++) {
        const token = 1 + row * gridColumns + column;
        for (let o = 0; o < d; o++) {
          let sum = kernelBias[o]!;
          for (let c = 0; c < channels; c++)
            for (let y = 0; y < patch; y++)
              for (let x = 0; x < patch; x++) {
                const pixel =
                  pixels[((b * channels + c) * height! + row * patch + y) * width! + column * patch + x]!;
                sum += pixel * kernel[((o * channels + c) * patch + y) * patch + x]!;
              }
          h[token * d + o] = sum;
        }
      }
    h = add(h, get('embeddings.position_embeddings'));
    const noMask = new Array<number>(seq).fill(0);
    for (let layer = 0; layer < config.num_hidden_layers; layer++) {
      const path = `encoder.layer.${layer}`;
      const dense = (x: Float64Array, name: string) =>
        torchLinear(x, get(`${name}.weight`), optional(`${name}.bias`), seq);
      const normed = layerNorm(
        h,
        d,
        get(`${path}.layernorm_before.weight`),
        get(`${path}.layernorm_before.bias`),
        eps,
      );
      const context = multiHeadAttention(
        dense(normed, `${path}.attention.attention.query`),
        dense(normed, `${path}.attention.attention.key`),
        dense(normed, `${path}.attention.attention.value`),
        seq,
        config.num_attention_heads,
        noMask,
      );
      h = add(dense(context, `${path}.attention.output.dense`), h);
      const normedAfter = layerNorm(
        h,
        d,
        get(`${path}.layernorm_after.weight`),
        get(`${path}.layernorm_after.bias`),
        eps,
      );
      const intermediate = dense(normedAfter, `${path}.intermediate.dense`).map(exactGelu);
      h = add(dense(intermediate, `${path}.output.dense`), h);
    }
    const last = layerNorm(h, d, get('layernorm.weight'), get('layernorm.bias'), eps);
    hidden.push(...last);
    if (tensors.has(`${prefix}pooler.dense.weight`))
      pooled.push(
        ...torchLinear(last.slice(0, d), get('pooler.dense.weight'), get('pooler.dense.bias'), 1).map(
          Math.tanh,
        ),
      );
  }
  return {
    lastHiddenState: Float64Array.from(hidden),
    ...(pooled.length === 0 ? {} : { poolerOutput: Float64Array.from(pooled) }),
  };
}

function weights(tensors: HfTensors, prefix: string): (name: string) => ArrayLike<number> {
  return (name) => {
    const tensor = tensors.get(`${prefix}${name}`);
    if (tensor === undefined) throw new Error(`reference forward: no tensor ${prefix}${name}`);
    return tensor.data;
  };
}

/** `x Wᵀ + b` for a torch Linear weight `W` `[out, in]` over `rows` rows of `x`. */
function torchLinear(
  x: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  rows: number,
): Float64Array {
  const inFeatures = x.length / rows;
  const outFeatures = weight.length / inFeatures;
  const y = new Float64Array(rows * outFeatures);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outFeatures; o++) {
      let sum = bias === undefined ? 0 : bias[o]!;
      for (let i = 0; i < inFeatures; i++) sum += x[r * inFeatures + i]! * weight[o * inFeatures + i]!;
      y[r * outFeatures + o] = sum;
    }
  return y;
}

/** `torch.nn.LayerNorm` over rows of `width`: biased variance, ε inside the root. */
function layerNorm(
  x: Float64Array,
  width: number,
  weight: ArrayLike<number>,
  bias: ArrayLike<number>,
  eps: number,
): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / width; r++) {
    let mean = 0;
    for (let i = 0; i < width; i++) mean += x[r * width + i]!;
    mean /= width;
    let variance = 0;
    for (let i = 0; i < width; i++) variance += (x[r * width + i]! - mean) ** 2;
    variance /= width;
    const scale = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < width; i++)
      y[r * width + i] = (x[r * width + i]! - mean) * scale * weight[i]! + bias[i]!;
  }
  return y;
}

/** Multi-head scaled dot-product attention over `[seq, heads·dh]`, `additiveMask[key]` added to the scores. */
function multiHeadAttention(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  seq: number,
  heads: number,
  additiveMask: readonly number[],
): Float64Array {
  const width = q.length / seq;
  const headDim = width / heads;
  const context = new Float64Array(seq * width);
  const scores = new Float64Array(seq);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < seq; i++) {
      let max = -Infinity;
      for (let j = 0; j < seq; j++) {
        let dot = 0;
        for (let c = 0; c < headDim; c++)
          dot += q[i * width + h * headDim + c]! * k[j * width + h * headDim + c]!;
        scores[j] = dot / Math.sqrt(headDim) + additiveMask[j]!;
        max = Math.max(max, scores[j]!);
      }
      let total = 0;
      for (let j = 0; j < seq; j++) {
        scores[j] = Math.exp(scores[j]! - max);
        total += scores[j]!;
      }
      for (let j = 0; j < seq; j++)
        for (let c = 0; c < headDim; c++)
          context[i * width + h * headDim + c]! += (scores[j]! / total) * v[j * width + h * headDim + c]!;
    }
  return context;
}

function add(a: Float64Array, b: ArrayLike<number>): Float64Array {
  return a.map((value, index) => value + b[index]!);
}

/** GELU with erf (`ACT2FN["gelu"]`); erf by the series `2/√π e^(−x²) Σ 2ⁿ x^(2n+1)/(2n+1)!!`. */
function exactGelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

function erf(x: number): number {
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  let term = a;
  let sum = a;
  for (let n = 1; n < 500 && term > 1e-17 * sum; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
}
