import type { SafetensorsFloatDType } from '../weights/safetensors-dtypes.js';
import { createSeededRandom } from '../weights/seeded-random.js';
import { roundTo, safetensorsFiles } from './hugging-face-checkpoint.js';

/** The fields of a BERT `config.json` the tiny checkpoints use. */
export interface TinyBertHfConfig {
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly intermediate_size: number;
  readonly max_position_embeddings: number;
  readonly type_vocab_size: number;
  readonly layer_norm_eps: number;
}

/** The fields of a ViT `config.json` the tiny checkpoints use. */
export interface TinyVitHfConfig {
  readonly hidden_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly intermediate_size: number;
  readonly image_size: number | readonly [number, number];
  readonly patch_size: number;
  readonly num_channels: number;
  readonly qkv_bias: boolean;
  readonly layer_norm_eps: number;
}

/** A tiny BERT: d 32, 4 heads, 2 layers, 16 positions, 2 token types. */
export const TINY_BERT_HF_CONFIG: TinyBertHfConfig = {
  vocab_size: 40,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 64,
  max_position_embeddings: 16,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
};

/** A tiny ViT: 8×12 RGB images in 4×4 patches (a 2×3 grid and a class token: 7 tokens), d 32, 2 layers. */
export const TINY_VIT_HF_CONFIG: TinyVitHfConfig = {
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 64,
  image_size: [8, 12],
  patch_size: 4,
  num_channels: 3,
  qkv_bias: true,
  layer_norm_eps: 1e-12,
};

/** Options of {@link tinyHuggingFaceBert} and {@link tinyHuggingFaceVit}. */
export interface TinyHuggingFaceEncoderOptions<Config> {
  /** The dtype the float tensors are stored in. Default F32. */
  readonly dtype?: SafetensorsFloatDType;
  /** Split the tensors over this many shards with a `model.safetensors.index.json`. Default 1. */
  readonly shards?: number;
  /** Config fields to override (or add: unknown fields test rejection). */
  readonly config?: Partial<Config> & Readonly<Record<string, unknown>>;
  /** Seed of the weights. Default 1. */
  readonly seed?: number;
  /**
   * Write the checkpoint of a task model: the base model's tensors under `bert.` / `vit.` and a
   * head beside them (BERT: a masked-LM head and the `position_ids` buffer; ViT: a classifier, and
   * no pooler). Default false (`BertModel` / `ViTModel`).
   */
  readonly taskModel?: boolean;
  /** Store the pooler (`pooler.dense.*`). Default true, false for a ViT task model. */
  readonly pooler?: boolean;
}

/** A tiny encoder checkpoint in the Hugging Face layout: the files of its directory and its tensors. */
export interface HuggingFaceEncoderCheckpointFiles<Config> {
  /** File name → contents (`config.json`, `model.safetensors` or shards and their index). */
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** The config as written. */
  readonly config: Config & Readonly<Record<string, unknown>>;
  /** The prefix of the base model's tensors: `bert.` / `vit.` in a task model's checkpoint, else ''. */
  readonly prefix: string;
  /** The float tensors by checkpoint name, with the values the files hold (after rounding to `dtype`). */
  readonly tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float64Array }>;
}

/**
 * Writes a tiny `BertModel` checkpoint (or a `BertForMaskedLM` one, `taskModel`) in the Hugging
 * Face layout with seeded weights: LayerNorm gains around 1, biases around 0, projections with
 * variance 1/fan-in.
 *
 * @example
 * ```ts
 * const { files } = tinyHuggingFaceBert({ dtype: 'BF16', shards: 2 });
 * for (const [name, contents] of Object.entries(files)) await writeFile(join(dir, name), contents);
 * ```
 */
export function tinyHuggingFaceBert(
  options: TinyHuggingFaceEncoderOptions<TinyBertHfConfig> = {},
): HuggingFaceEncoderCheckpointFiles<TinyBertHfConfig> {
  const taskModel = options.taskModel ?? false;
  const config = {
    architectures: [taskModel ? 'BertForMaskedLM' : 'BertModel'],
    model_type: 'bert',
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    initializer_range: 0.02,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    use_cache: true,
    classifier_dropout: null,
    torch_dtype: 'float32',
    ...TINY_BERT_HF_CONFIG,
    ...options.config,
  };
  const prefix = taskModel ? 'bert.' : '';
  const writer = new TensorWriter(options.dtype ?? 'F32', options.seed ?? 1);
  const d = config.hidden_size;
  const inner = config.intermediate_size;
  const layerNorm = (path: string) => {
    writer.add(`${path}.weight`, [d], 0.1, 1);
    writer.add(`${path}.bias`, [d], 0.1);
  };
  const dense = (path: string, out: number, inFeatures: number) => {
    writer.add(`${path}.weight`, [out, inFeatures], inFeatures ** -0.5);
    writer.add(`${path}.bias`, [out], 0.1);
  };
  const embeddings = `${prefix}embeddings`;
  writer.add(`${embeddings}.word_embeddings.weight`, [config.vocab_size, d], 1);
  writer.add(`${embeddings}.position_embeddings.weight`, [config.max_position_embeddings, d], 0.5);
  writer.add(`${embeddings}.token_type_embeddings.weight`, [config.type_vocab_size, d], 0.5);
  layerNorm(`${embeddings}.LayerNorm`);
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const path = `${prefix}encoder.layer.${layer}`;
    for (const projection of ['query', 'key', 'value']) dense(`${path}.attention.self.${projection}`, d, d);
    dense(`${path}.attention.output.dense`, d, d);
    layerNorm(`${path}.attention.output.LayerNorm`);
    dense(`${path}.intermediate.dense`, inner, d);
    dense(`${path}.output.dense`, d, inner);
    layerNorm(`${path}.output.LayerNorm`);
  }
  if (options.pooler ?? true) dense(`${prefix}pooler.dense`, d, d);
  if (taskModel) {
    dense('cls.predictions.transform.dense', d, d);
    layerNorm('cls.predictions.transform.LayerNorm');
    writer.add('cls.predictions.bias', [config.vocab_size], 0.1);
    const positions = config.max_position_embeddings;
    writer.buffer(`${embeddings}.position_ids`, [1, positions], (i) => i);
  }
  return { ...writer.checkpoint(config, options.shards ?? 1), prefix };
}

/**
 * Writes a tiny `ViTModel` checkpoint (or a `ViTForImageClassification` one, `taskModel`) in the
 * Hugging Face layout with seeded weights.
 *
 * @example
 * ```ts
 * const { files, tensors } = tinyHuggingFaceVit({ dtype: 'F16' });
 * ```
 */
export function tinyHuggingFaceVit(
  options: TinyHuggingFaceEncoderOptions<TinyVitHfConfig> = {},
): HuggingFaceEncoderCheckpointFiles<TinyVitHfConfig> {
  const taskModel = options.taskModel ?? false;
  const config = {
    architectures: [taskModel ? 'ViTForImageClassification' : 'ViTModel'],
    model_type: 'vit',
    hidden_act: 'gelu',
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    initializer_range: 0.02,
    encoder_stride: 4,
    torch_dtype: 'float32',
    ...TINY_VIT_HF_CONFIG,
    ...options.config,
  };
  const prefix = taskModel ? 'vit.' : '';
  const writer = new TensorWriter(options.dtype ?? 'F32', options.seed ?? 1);
  const d = config.hidden_size;
  const inner = config.intermediate_size;
  const [height, width] =
    typeof config.image_size === 'number' ? [config.image_size, config.image_size] : config.image_size;
  const patch = config.patch_size;
  const tokens = (height! / patch) * (width! / patch) + 1;
  const layerNorm = (path: string) => {
    writer.add(`${path}.weight`, [d], 0.1, 1);
    writer.add(`${path}.bias`, [d], 0.1);
  };
  const dense = (path: string, out: number, inFeatures: number, bias = true) => {
    writer.add(`${path}.weight`, [out, inFeatures], inFeatures ** -0.5);
    if (bias) writer.add(`${path}.bias`, [out], 0.1);
  };
  const embeddings = `${prefix}embeddings`;
  writer.add(`${embeddings}.cls_token`, [1, 1, d], 1);
  writer.add(`${embeddings}.position_embeddings`, [1, tokens, d], 0.5);
  const fanIn = config.num_channels * patch * patch;
  writer.add(
    `${embeddings}.patch_embeddings.projection.weight`,
    [d, config.num_channels, patch, patch],
    fanIn ** -0.5,
  );
  writer.add(`${embeddings}.patch_embeddings.projection.bias`, [d], 0.1);
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const path = `${prefix}encoder.layer.${layer}`;
    layerNorm(`${path}.layernorm_before`);
    for (const projection of ['query', 'key', 'value'])
      dense(`${path}.attention.attention.${projection}`, d, d, config.qkv_bias);
    dense(`${path}.attention.output.dense`, d, d);
    layerNorm(`${path}.layernorm_after`);
    dense(`${path}.intermediate.dense`, inner, d);
    dense(`${path}.output.dense`, d, inner);
  }
  layerNorm(`${prefix}layernorm`);
  if (options.pooler ?? !taskModel) dense(`${prefix}pooler.dense`, d, d);
  if (taskModel) dense('classifier', 5, d);
  return { ...writer.checkpoint(config, options.shards ?? 1), prefix };
}

/** Seeded tensors rounded to the stored dtype, and the files that hold them. */
class TensorWriter {
  private readonly random;
  private readonly floats = new Map<string, { shape: number[]; data: Float64Array }>();
  private readonly all = new Map<string, { shape: number[]; data: ArrayLike<number>; dtype?: 'I64' }>();

  constructor(
    private readonly dtype: SafetensorsFloatDType,
    seed: number,
  ) {
    this.random = createSeededRandom(seed);
  }

  /** A float tensor `offset + scale · N(0, 1)`. */
  add(name: string, shape: number[], scale: number, offset = 0): void {
    const count = shape.reduce((product, dim) => product * dim, 1);
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = roundTo(this.dtype, offset + scale * this.random.nextNormal());
    this.floats.set(name, { shape, data });
    this.all.set(name, { shape, data });
  }

  /** An I64 buffer with `value(i)` at flat index i. */
  buffer(name: string, shape: number[], value: (index: number) => number): void {
    const count = shape.reduce((product, dim) => product * dim, 1);
    this.all.set(name, { shape, data: Array.from({ length: count }, (_, i) => value(i)), dtype: 'I64' });
  }

  checkpoint<Config>(config: Config, shards: number) {
    return {
      files: {
        'config.json': JSON.stringify(config, null, 2),
        ...safetensorsFiles(this.all, this.dtype, shards),
      },
      config,
      tensors: this.floats as ReadonlyMap<string, { shape: number[]; data: Float64Array }>,
    };
  }
}
