import type { SafetensorsFloatDType } from '../weights/safetensors-dtypes.js';
import { createSeededRandom } from '../weights/seeded-random.js';
import { roundTo, safetensorsFiles } from './hugging-face-checkpoint.js';

/** The decoder families {@link tinyHuggingFaceDecoder} writes. */
export type TinyDecoderFamily = 'qwen2' | 'qwen3' | 'gemma2';

/** The `config.json` of a tiny decoder checkpoint: the fields its forward pass reads, and the rest. */
export interface TinyDecoderHfConfig {
  readonly model_type: TinyDecoderFamily;
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number;
  readonly head_dim?: number;
  readonly rms_norm_eps: number;
  readonly rope_theta: number;
  readonly tie_word_embeddings: boolean;
  readonly [field: string]: unknown;
}

/**
 * Tiny configs of each family, small enough for the software adapter and chosen so that every
 * feature changes the logits: Qwen2 with a 5-key sliding window from layer 1 on, Qwen3 with a
 * head dim (16) other than hidden / heads and a tied head, Gemma 2 with three layers (windows of 4
 * keys on layers 0 and 2), head dim 12, `query_pre_attn_scalar` 16 and small softcaps.
 */
export const TINY_DECODER_HF_CONFIGS: Readonly<Record<TinyDecoderFamily, TinyDecoderHfConfig>> = {
  qwen2: {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    vocab_size: 40,
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    hidden_act: 'silu',
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    max_position_embeddings: 32,
    tie_word_embeddings: false,
    use_sliding_window: true,
    sliding_window: 5,
    max_window_layers: 1,
    attention_dropout: 0,
    torch_dtype: 'float32',
    bos_token_id: 1,
    eos_token_id: 2,
  },
  qwen3: {
    architectures: ['Qwen3ForCausalLM'],
    model_type: 'qwen3',
    vocab_size: 40,
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 16,
    hidden_act: 'silu',
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    max_position_embeddings: 32,
    tie_word_embeddings: true,
    attention_bias: false,
    use_sliding_window: false,
    sliding_window: null,
    max_window_layers: 2,
    attention_dropout: 0,
    torch_dtype: 'float32',
    eos_token_id: 2,
  },
  gemma2: {
    architectures: ['Gemma2ForCausalLM'],
    model_type: 'gemma2',
    vocab_size: 40,
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: 3,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 12,
    hidden_act: 'gelu_pytorch_tanh',
    hidden_activation: 'gelu_pytorch_tanh',
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    max_position_embeddings: 32,
    tie_word_embeddings: true,
    query_pre_attn_scalar: 16,
    sliding_window: 4,
    attn_logit_softcapping: 4,
    final_logit_softcapping: 2.5,
    attention_bias: false,
    attention_dropout: 0,
    cache_implementation: 'hybrid',
    torch_dtype: 'float32',
    pad_token_id: 0,
    eos_token_id: 1,
    bos_token_id: 2,
  },
};

/** Options of {@link tinyHuggingFaceDecoder}. */
export interface TinyHuggingFaceDecoderOptions {
  /** The dtype the tensors are stored in. Default F32. */
  readonly dtype?: SafetensorsFloatDType;
  /** Split the tensors over this many shards with a `model.safetensors.index.json`. Default 1. */
  readonly shards?: number;
  /** Config fields to override or add. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Seed of the weights. Default 1. */
  readonly seed?: number;
}

/** A tiny decoder checkpoint in the Hugging Face layout: the files of its directory and its tensors. */
export interface TinyDecoderCheckpoint {
  /** File name → contents (`config.json`, `model.safetensors` or shards and their index). */
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** The config as written. */
  readonly config: TinyDecoderHfConfig;
  /** The tensors by checkpoint name, with the values the files hold (after rounding to `dtype`). */
  readonly tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float64Array }>;
}

/**
 * Writes a tiny Qwen2, Qwen3 or Gemma 2 checkpoint with transformers' tensor names and seeded
 * weights (with `config: { attention_bias: true }`, Qwen3 and Gemma 2 get biases on `q_proj`,
 * `k_proj`, `v_proj` and `o_proj`): projections with variance 1/fan-in, biases and Gemma's stored norm gains `w` (acting
 * as `1 + w`) around 0 with spread 0.3, other norm gains around 1.
 *
 * @example
 * ```ts
 * const { files, config, tensors } = tinyHuggingFaceDecoder('gemma2', { dtype: 'BF16' });
 * ```
 */
export function tinyHuggingFaceDecoder(
  family: TinyDecoderFamily,
  options: TinyHuggingFaceDecoderOptions = {},
): TinyDecoderCheckpoint {
  const config = { ...TINY_DECODER_HF_CONFIGS[family], ...options.config } as TinyDecoderHfConfig;
  const dtype = options.dtype ?? 'F32';
  const random = createSeededRandom(options.seed ?? 1);
  const d = config.hidden_size;
  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads;
  const headDim = config.head_dim ?? d / heads;
  const hidden = config.intermediate_size;
  // Qwen3 and Gemma 2 bias all four attention projections when the config says attention_bias.
  const attentionBias = family !== 'qwen2' && config.attention_bias === true;
  const tensors = new Map<string, { shape: number[]; data: Float64Array }>();
  const add = (name: string, shape: number[], scale: number, offset = 0) => {
    const count = shape.reduce((product, dim) => product * dim, 1);
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = roundTo(dtype, offset + scale * random.nextNormal());
    tensors.set(name, { shape, data });
  };
  // Gemma stores w of the gain 1 + w.
  const normOffset = family === 'gemma2' ? 0 : 1;
  const norm = (name: string, width = d) => add(name, [width], family === 'gemma2' ? 0.3 : 0.1, normOffset);
  add('model.embed_tokens.weight', [config.vocab_size, d], 1);
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const prefix = `model.layers.${layer}`;
    norm(`${prefix}.input_layernorm.weight`);
    add(`${prefix}.self_attn.q_proj.weight`, [heads * headDim, d], d ** -0.5);
    add(`${prefix}.self_attn.k_proj.weight`, [kvHeads * headDim, d], d ** -0.5);
    add(`${prefix}.self_attn.v_proj.weight`, [kvHeads * headDim, d], d ** -0.5);
    if (family === 'qwen2' || attentionBias) {
      add(`${prefix}.self_attn.q_proj.bias`, [heads * headDim], 0.3);
      add(`${prefix}.self_attn.k_proj.bias`, [kvHeads * headDim], 0.3);
      add(`${prefix}.self_attn.v_proj.bias`, [kvHeads * headDim], 0.3);
    }
    if (family === 'qwen3') {
      norm(`${prefix}.self_attn.q_norm.weight`, headDim);
      norm(`${prefix}.self_attn.k_norm.weight`, headDim);
    }
    add(`${prefix}.self_attn.o_proj.weight`, [d, heads * headDim], (heads * headDim) ** -0.5);
    if (attentionBias) add(`${prefix}.self_attn.o_proj.bias`, [d], 0.3);
    norm(`${prefix}.post_attention_layernorm.weight`);
    if (family === 'gemma2') {
      norm(`${prefix}.pre_feedforward_layernorm.weight`);
      norm(`${prefix}.post_feedforward_layernorm.weight`);
    }
    add(`${prefix}.mlp.gate_proj.weight`, [hidden, d], d ** -0.5);
    add(`${prefix}.mlp.up_proj.weight`, [hidden, d], d ** -0.5);
    add(`${prefix}.mlp.down_proj.weight`, [d, hidden], hidden ** -0.5);
  }
  norm('model.norm.weight');
  if (!config.tie_word_embeddings) add('lm_head.weight', [config.vocab_size, d], d ** -0.5);
  return {
    files: {
      'config.json': JSON.stringify(config, null, 2),
      ...safetensorsFiles(tensors, dtype, options.shards ?? 1),
    },
    config,
    tensors,
  };
}
