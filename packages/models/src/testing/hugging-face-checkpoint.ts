import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from '@weft/ir';
import { type TensorToWrite, writeSafetensors } from '../weights/safetensors.js';
import type { SafetensorsFloatDType } from '../weights/safetensors-dtypes.js';
import { createSeededRandom } from '../weights/seeded-random.js';

/** The fields of a Llama `config.json` the tiny checkpoints use. */
export interface TinyLlamaHfConfig {
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number;
  readonly rms_norm_eps: number;
  readonly rope_theta: number;
  readonly max_position_embeddings: number;
  readonly tie_word_embeddings: boolean;
}

/** Options of {@link tinyHuggingFaceLlama}. */
export interface TinyHuggingFaceLlamaOptions {
  /** The dtype the tensors are stored in. Default F32. */
  readonly dtype?: SafetensorsFloatDType;
  /** Split the tensors over this many shards with a `model.safetensors.index.json`. Default 1 (one file). */
  readonly shards?: number;
  /** Config fields to override (or add: unknown fields test rejection). */
  readonly config?: Partial<TinyLlamaHfConfig> & Readonly<Record<string, unknown>>;
  /** Seed of the weights. Default 1. */
  readonly seed?: number;
}

/** A tiny checkpoint in the Hugging Face layout: the files of its directory and its tensors. */
export interface HuggingFaceCheckpointFiles {
  /** File name → contents (`config.json`, `model.safetensors` or shards and their index). */
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** The config as written. */
  readonly config: TinyLlamaHfConfig & Readonly<Record<string, unknown>>;
  /** The tensors by checkpoint name, with the values the files hold (after rounding to `dtype`). */
  readonly tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float64Array }>;
}

/** A tiny Llama config: GQA (4 query heads, 2 KV heads), head dim 8, two layers. */
export const TINY_LLAMA_HF_CONFIG: TinyLlamaHfConfig = {
  vocab_size: 40,
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  max_position_embeddings: 32,
  tie_word_embeddings: false,
};

/**
 * Writes a tiny `LlamaForCausalLM` checkpoint in the Hugging Face layout, with seeded weights
 * (norm gains around 1, projections with variance 1/fan-in), as the files of a model directory.
 *
 * @example
 * ```ts
 * const { files } = tinyHuggingFaceLlama({ dtype: 'BF16', shards: 2 });
 * for (const [name, contents] of Object.entries(files)) await writeFile(join(dir, name), contents);
 * ```
 */
export function tinyHuggingFaceLlama(options: TinyHuggingFaceLlamaOptions = {}): HuggingFaceCheckpointFiles {
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_act: 'silu',
    torch_dtype: 'float32',
    ...TINY_LLAMA_HF_CONFIG,
    ...options.config,
  };
  const dtype = options.dtype ?? 'F32';
  const random = createSeededRandom(options.seed ?? 1);
  const d = config.hidden_size;
  const headDim = d / config.num_attention_heads;
  const tensors = new Map<string, { shape: number[]; data: Float64Array }>();
  const add = (name: string, shape: number[], scale: number, offset = 0) => {
    const count = shape.reduce((product, dim) => product * dim, 1);
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = roundTo(dtype, offset + scale * random.nextNormal());
    tensors.set(name, { shape, data });
  };
  add('model.embed_tokens.weight', [config.vocab_size, d], 1);
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const prefix = `model.layers.${layer}`;
    add(`${prefix}.input_layernorm.weight`, [d], 0.1, 1);
    add(`${prefix}.self_attn.q_proj.weight`, [config.num_attention_heads * headDim, d], d ** -0.5);
    add(`${prefix}.self_attn.k_proj.weight`, [config.num_key_value_heads * headDim, d], d ** -0.5);
    add(`${prefix}.self_attn.v_proj.weight`, [config.num_key_value_heads * headDim, d], d ** -0.5);
    add(`${prefix}.self_attn.o_proj.weight`, [d, config.num_attention_heads * headDim], d ** -0.5);
    add(`${prefix}.post_attention_layernorm.weight`, [d], 0.1, 1);
    add(`${prefix}.mlp.gate_proj.weight`, [config.intermediate_size, d], d ** -0.5);
    add(`${prefix}.mlp.up_proj.weight`, [config.intermediate_size, d], d ** -0.5);
    add(`${prefix}.mlp.down_proj.weight`, [d, config.intermediate_size], config.intermediate_size ** -0.5);
  }
  add('model.norm.weight', [d], 0.1, 1);
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

/**
 * The safetensors files of a checkpoint in the Hugging Face layout: `model.safetensors`, or
 * `shards` files with a `model.safetensors.index.json`. Tensors are stored as `dtype` unless they
 * name their own (an I64 buffer, say).
 *
 * @example
 * ```ts
 * const files = safetensorsFiles(new Map([['w', { shape: [2], data: new Float64Array([1, 2]) }]]), 'BF16', 1);
 * ```
 */
export function safetensorsFiles(
  tensors: ReadonlyMap<
    string,
    { shape: readonly number[]; data: ArrayLike<number>; dtype?: TensorToWrite['dtype'] }
  >,
  dtype: SafetensorsFloatDType,
  shards: number,
): Record<string, Uint8Array | string> {
  const toWrite = (names: readonly string[]) =>
    new Map<string, TensorToWrite>(
      names.map((name) => {
        const tensor = tensors.get(name)!;
        return [name, { dtype: tensor.dtype ?? dtype, shape: tensor.shape, data: tensor.data }];
      }),
    );
  const names = [...tensors.keys()];
  if (shards === 1) return { 'model.safetensors': writeSafetensors(toWrite(names), { format: 'pt' }) };
  const files: Record<string, Uint8Array | string> = {};
  const weightMap: Record<string, string> = {};
  for (let shard = 0; shard < shards; shard++) {
    const file = `model-${String(shard + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = names.filter((_, index) => index % shards === shard);
    for (const name of part) weightMap[name] = file;
    files[file] = writeSafetensors(toWrite(part), { format: 'pt' });
  }
  files['model.safetensors.index.json'] = JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2);
  return files;
}

/**
 * The value `dtype` stores for `value` (what a loader reads back).
 *
 * @example
 * ```ts
 * roundTo('BF16', 0.1); // 0.10009765625
 * ```
 */
export function roundTo(dtype: SafetensorsFloatDType, value: number): number {
  if (dtype === 'F16') return float16BitsToFloat32(float32ToFloat16Bits(value));
  if (dtype === 'BF16') return bfloat16BitsToFloat32(float32ToBfloat16Bits(value));
  return Math.fround(value);
}
